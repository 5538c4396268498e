/** The measurements. Each runs one client once; `run.ts` repeats them, alternating the clients. */
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import type { Contender, ListOptions } from './clients.ts';
import { type Latency, latency } from './stats.ts';

/** A queue no worker polls, so enqueued rows stay put. */
export const ENQUEUE_QUEUE = 'bench_enqueue';
/** The interop worker's queue (10 ms poll) and workflow `add(a, b)`. */
const WORKER_QUEUE = 'interop';

export type Throughput = Latency & { opsPerSec: number };

/** `total` enqueues with at most `inFlight` pending at once; per-op latency and overall rate. */
export async function enqueueCase(
  c: Contender,
  total: number,
  inFlight: number,
  queueName = ENQUEUE_QUEUE,
): Promise<Throughput> {
  const samples: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await c.enqueue(queueName, 'noop', [i]);
      samples.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsedMs = performance.now() - start;
  return { opsPerSec: (total * 1000) / elapsedMs, ...latency(samples) };
}

export async function listCase(c: Contender, iterations: number, options: ListOptions): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await c.list(options);
    samples.push(performance.now() - t0);
  }
  return latency(samples);
}

/** Fails unless the listing returns a full page of seeded SUCCESS rows, with payloads exactly when asked for. */
export async function checkListing(c: Contender, options: ListOptions): Promise<void> {
  const rows = await c.list(options);
  strictEqual(rows.length, options.limit, `${c.name}: rows returned`);
  for (const r of rows) {
    strictEqual(r.status, 'SUCCESS', `${c.name}: status`);
    deepStrictEqual(r.input, options.loadInput === false ? undefined : [1], `${c.name}: input`);
    strictEqual(r.output, options.loadOutput === false ? undefined : 1, `${c.name}: output`);
  }
}

export type RoundTrip = Latency & {
  /** Queries `getResult` issued per call (the enqueue's own query excluded). */
  waitQueriesPerOp: number;
};

/** Sequential enqueue → worker runs it → `getResult`, timed end to end. */
export async function roundTripCase(c: Contender, total: number): Promise<RoundTrip> {
  const samples: number[] = [];
  let waitQueries = 0;
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    const { result, waitQueries: q } = await c.call(WORKER_QUEUE, 'add', [i, 1]);
    samples.push(performance.now() - t0);
    strictEqual(result, i + 1, `${c.name}: add(${i}, 1)`);
    waitQueries += q;
  }
  return { ...latency(samples), waitQueriesPerOp: waitQueries / total };
}
