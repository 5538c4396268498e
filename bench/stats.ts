/** Percentiles and medians over timing samples (milliseconds). */

/** Nearest-rank percentile: always one of the samples, never an interpolation between two. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

// Type aliases, not interfaces: the rounds are handled generically as `Record<string, number>`.
export type Latency = {
  p50: number;
  p99: number;
};

export function latency(samples: readonly number[]): Latency {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** The per-metric median of several rounds of the same measurement. */
export function medianOf<T extends Record<string, number>>(rounds: readonly T[]): T {
  const first = rounds[0];
  if (!first) throw new Error('median of no rounds');
  const values = (key: string) => rounds.map((r) => r[key] as number);
  return Object.fromEntries(Object.keys(first).map((key) => [key, percentile(values(key), 50)])) as T;
}
