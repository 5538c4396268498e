/** Runs the real Python 3.11 interpreter (standard library only) for the pickle tests. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3.11';

/** The path of a script under test/fixtures/. */
export function fixtureScript(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Runs `python script args…` with `input` on stdin; returns stdout's JSON lines, or throws with stderr. */
export function runPythonJsonLines(
  script: string,
  args: readonly string[] = [],
  options: { input?: string; env?: Record<string, string> } = {},
): Record<string, unknown>[] {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: the pickle tests need the real interpreter`);
  const run = spawnSync(PYTHON, [script, ...args], {
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${script} failed (${run.status}): ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .filter((line) => line)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
