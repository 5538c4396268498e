/** Human output: aligned tables, times, durations, values, and bulk progress (a bar on a terminal, lines otherwise). */

export type Cell = string | number | boolean | null | undefined;

/** Rows under a header, each column as wide as its widest cell; an empty table says so. */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '(none)';
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...text.map(line)].join('\n');
}

/** `key: value` lines, keys aligned. */
export function fields(entries: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v ?? ''}`).join('\n');
}

export const isoTime = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString() : '');

export function duration(start: unknown, end: unknown): string {
  if (typeof start !== 'number' || typeof end !== 'number') return '';
  const ms = end - start;
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/** A value on one line: strings as they are, anything else as JSON. */
export const inline = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

/** A value over several lines, pretty-printed. */
export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? 'null';

export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/**
 * Progress of a bulk action of unknown size: on a terminal one line redrawn in place, a bar that fills per batch
 * towards the next power of ten; otherwise a plain line per batch.
 */
export function progress(out: ProgressOutput, label: string) {
  const width = 30;
  return {
    update(done: number) {
      if (!out.isTTY) {
        out.write(`${label}: ${done} done\n`);
        return;
      }
      const scale = 10 ** Math.max(1, Math.ceil(Math.log10(done + 1)));
      const filled = Math.round((done / scale) * width);
      out.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}`);
    },
    end(count: number) {
      out.write(out.isTTY ? `\r\x1b[K${label}: ${count} done\n` : `${label}: ${count} done\n`);
    },
  };
}
