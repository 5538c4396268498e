/** What every bench prints and saves: progress on stderr, plain-text tables, the environment, result files. */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import postgres from 'postgres';

export function logger(tag: string): (message: string) => void {
  return (message) => process.stderr.write(`[${tag}] ${message}\n`);
}

/** Fixed-width columns: the first left-aligned (labels), the others right-aligned (numbers). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** Three significant digits or the integer part, whichever is longer: 0.412, 4.12, 41.2, 412, 41200. */
export function num(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

export async function environment(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SHOW server_version`;
    const sdk = JSON.parse(
      await readFile(new URL('../node_modules/@dbos-inc/dbos-sdk/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    return {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      postgres: String(row?.server_version),
      sdkVersion: sdk.version,
    };
  } finally {
    await sql.end();
  }
}

/** Writes bench/results/<name>, creating the folder; returns the file's path. */
export async function writeResult(name: string, content: string): Promise<string> {
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(name, dir);
  await writeFile(file, content);
  return file.pathname;
}

const BIOME = new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url).pathname;

/**
 * Writes bench/results/<name> as JSON the way the linter formats it (results are tracked, and `npm run lint` checks
 * what git tracks); returns the file's path.
 */
export async function writeJsonResult(name: string, data: unknown): Promise<string> {
  const file = await writeResult(name, `${JSON.stringify(data, null, 2)}\n`);
  await promisify(execFile)(process.execPath, [BIOME, 'format', '--write', file]);
  return file;
}

/** A timestamp usable in file names (colons are not allowed in Windows file names). */
export function fileStamp(iso: string): string {
  return iso.replaceAll(':', '-');
}
