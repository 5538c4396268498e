/**
 * Safe start-up of the Node entry (issue 14, findings 8 and 11), as real processes on 127.0.0.1:
 * - a second process on the same embedded-database folder refuses to start, in one line, while the first serves;
 * - a busy port is reported in one line, not a stack trace;
 * - open mode (DBOS_EDGE_INSECURE_DEV=1) refuses a non-loopback HOST.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
const folders: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

/** Starts `worker/node.ts` with `env`; resolves when it prints its start-up line or exits. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/node.ts'], {
    env: { PATH: process.env.PATH ?? '', DBOS_EDGE_TICK_INTERVAL_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const outcome = new Promise<{ listening: boolean; code: number | null }>((resolve) => {
    child.stdout?.on('data', () => {
      if (stdout.includes('listening on')) resolve({ listening: true, code: null });
    });
    child.once('exit', (code) => resolve({ listening: false, code }));
  });
  return { child, outcome, output: () => ({ stdout, stderr }) };
}

const TOKENS = { DBOS_EDGE_API_TOKENS: 'full:startup-token-0123456789' };

describe('start-up', () => {
  it('a second process on the same embedded database folder refuses to start, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbos-edge-lock-'));
    folders.push(dir);
    const first = start({ ...TOKENS, DBOS_EDGE_DATA_DIR: dir, PORT: '0' });
    expect(await first.outcome).toEqual({ listening: true, code: null });
    const second = start({ ...TOKENS, DBOS_EDGE_DATA_DIR: dir, PORT: '0' });
    expect(await second.outcome).toEqual({ listening: false, code: 1 });
    const lines = second.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DBOS_EDGE_DATA_DIR .* is in use by another dbos-edge process \(pid \d+\)/);
    // Once the first has stopped, the folder can be opened again.
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const third = start({ ...TOKENS, DBOS_EDGE_DATA_DIR: dir, PORT: '0' });
    expect(await third.outcome).toEqual({ listening: true, code: null });
    third.child.kill('SIGTERM');
  });

  it('a busy port is one line, not a stack trace', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const dir = await mkdtemp(join(tmpdir(), 'dbos-edge-port-'));
    folders.push(dir);
    const server = start({ ...TOKENS, DBOS_EDGE_DATA_DIR: dir, PORT: String(port) });
    const outcome = await server.outcome;
    blocker.close();
    expect(outcome).toEqual({ listening: false, code: 1 });
    expect(server.output().stderr.trim().split('\n')).toEqual([
      `dbos-edge: failed to start: 127.0.0.1:${port} is already in use (set PORT, or stop the process using it)`,
    ]);
  });

  it('open mode refuses to listen beyond loopback', async () => {
    const server = start({ DBOS_EDGE_INSECURE_DEV: '1', HOST: '0.0.0.0', PORT: '0' });
    expect(await server.outcome).toEqual({ listening: false, code: 1 });
    expect(server.output().stderr.trim()).toMatch(/^dbos-edge: refusing to start: HOST must be a loopback address/);
  });
});
