/**
 * Deno and Bun for real, each with the binary its npm package ships (no download): a script imports dbos-edge by
 * its package name and reads back what the real DBOS worker computed; the server entries (worker/deno.ts,
 * worker/bun.ts, and worker/node.ts beside them) start, answer authenticated requests, run the schedule tick, and
 * stop on SIGTERM. `deno check` passes on the public entry points.
 *
 * The servers act for their own application names: their ticks then only see their own schedules, never the ones
 * the other interop files fire by hand. A missing binary fails the test: nothing here is skipped.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DBOSClient } from '../../src/index.ts';
import { freePort } from '../helpers/net.ts';
import { waitUntil } from './worker/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DENO = `${ROOT}node_modules/deno/deno`;
const BUN = `${ROOT}node_modules/bun/bin/bun.exe`;
const DENO_PERMISSIONS = ['--allow-net', '--allow-env', '--allow-read', '--allow-write', '--allow-sys'];
const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const TOKEN = 'runtime-test-token-full-000001';
const run = promisify(execFile);

function binary(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm ci (the deno and bun packages ship it)`);
  return path;
}

// `dbos-edge` by name resolves to the TypeScript sources with package.json's `dbos-edge-source` condition (the
// installed build is tested by test/package/smoke.test.ts).
const SOURCE_CONDITION = '--conditions=dbos-edge-source';
const runtimes = [
  { name: 'deno', script: () => [binary(DENO), 'run', SOURCE_CONDITION, ...DENO_PERMISSIONS] },
  { name: 'bun', script: () => [binary(BUN), SOURCE_CONDITION] },
] as const;

describe.each(runtimes)('$name', ({ name, script }) => {
  it('imports dbos-edge as an ES module, enqueues, and reads the result the DBOS worker produced', async () => {
    const [cmd, ...args] = script();
    const { stdout } = await run(cmd as string, [...args, 'test/fixtures/runtime-client.ts'], {
      cwd: ROOT,
      env: { ...process.env, DBOS_SYSTEM_DATABASE_URL: url, DBOS_APPLICATION_NAME: appName, NO_COLOR: '1' },
      timeout: 60_000,
    });
    const line = stdout.trim().split('\n').at(-1) as string;
    const out = JSON.parse(line) as { runtime: string; workflowID: string; result: unknown; status: string };
    expect(out.runtime).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+`));
    expect(out).toMatchObject({ result: 42, status: 'SUCCESS' });
    // Seen from Node too: the row the other runtime wrote, finished by the worker.
    const client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
    try {
      expect(await client.getWorkflow(out.workflowID)).toMatchObject({ status: 'SUCCESS', output: 42 });
    } finally {
      await client.destroy();
    }
  });
});

describe('deno check', () => {
  it('type-checks the public entry points, the adapters and worker/deno.ts', async () => {
    const entries = ['src/index.ts', 'src/http/index.ts', 'adapters/postgres.ts', 'adapters/neon-http.ts'];
    entries.push(
      'adapters/neon-ws.ts',
      'adapters/pglite.ts',
      'adapters/pg-pool.ts',
      'worker/deno.ts',
      'worker/cloudflare.ts',
    );
    const { stderr } = await run(binary(DENO), ['check', ...entries], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    for (const e of entries) expect(stderr).toContain(`Check ${e}`);
    expect(stderr).not.toMatch(/error/i);
  });
});

const servers = [
  { name: 'deno', command: () => [binary(DENO), 'run', ...DENO_PERMISSIONS, 'worker/deno.ts'] },
  { name: 'bun', command: () => [binary(BUN), 'worker/bun.ts'] },
  { name: 'node', command: () => [process.execPath, '--import', 'tsx', 'worker/node.ts'] },
] as const;

describe.each(servers)('the $name server entry', ({ name, command }) => {
  const app = `edge-${name}-server-${Date.now().toString(36)}`;
  let child: ChildProcess;
  let output = '';
  let base = '';
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [cmd, ...args] = command();
    child = spawn(cmd as string, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        DBOS_SYSTEM_DATABASE_URL: url,
        DBOS_APPLICATION_NAME: app,
        DBOS_EDGE_API_TOKENS: `full:${TOKEN}`,
        DBOS_EDGE_TICK_INTERVAL_MS: '200',
        PORT: String(port),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => {
      output += c;
    });
    child.stderr?.on('data', (c) => {
      output += c;
    });
    await waitUntil(async () => output.includes('listening on') || child.exitCode !== null, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    if (child.exitCode !== null) throw new Error(`${name} server exited:\n${output}`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints its start-up line, serves the console at /ui and refuses a request without a valid token', async () => {
    expect(output).toContain(`listening on ${base}`);
    expect(output).toContain('auth: bearer tokens (1 full, 0 read)');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/v1/workflows`)).status).toBe(401);
    expect(await (await fetch(`${base}/ui/`)).text()).toContain('<title>dbos-edge console</title>');
    expect(
      (await fetch(`${base}/v1/workflows`, { headers: { authorization: 'Bearer wrong-token-0000000000' } })).status,
    ).toBe(401);
  });

  it('answers an authenticated request with what the DBOS worker did', async () => {
    // A workflow of the worker's app, run by it, read through this server (lookups by ID are not scoped by app).
    const client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
    try {
      const handle = await client.enqueue({ queueName: 'interop', workflowName: 'add' }, 40, 2);
      await handle.getResult({ timeoutMs: 20_000 });
      const r = await fetch(`${base}/v1/workflows/${handle.workflowID}/result?timeoutMs=5000`, { headers });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ workflowID: handle.workflowID, status: 'SUCCESS', output: 42 });
    } finally {
      await client.destroy();
    }
  });

  it(
    name === 'deno'
      ? 'registers the Deno.cron tick (it fires on the minute)'
      : 'fires a schedule from its interval tick',
    async () => {
      if (name === 'deno') {
        // Deno.cron only exists with the cron unstable feature that deno.json enables; without it the entry crashes.
        expect(output).not.toMatch(/Deno\.cron is not a function|error/i);
        const r = await fetch(`${base}/v1/schedules/tick`, { method: 'POST', headers, body: '{}' });
        expect(r.status).toBe(200);
        return;
      }
      const scheduleName = `${app}-every-second`;
      const created = await fetch(`${base}/v1/schedules`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          scheduleName,
          workflowName: 'scheduled',
          schedule: '* * * * * *',
          serializationType: 'portable',
        }),
      });
      expect(created.status).toBe(201);
      // The server's own ticker (every 200 ms here) fires it: no tick route is called.
      await waitUntil(
        async () => {
          const r = await fetch(`${base}/v1/workflows?scheduleName=${scheduleName}&limit=5`, { headers });
          return ((await r.json()) as { workflows: unknown[] }).workflows.length >= 2;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(output).toContain('"msg":"schedule tick"');
      expect((await fetch(`${base}/v1/schedules/${scheduleName}`, { method: 'DELETE', headers })).status).toBe(204);
    },
  );

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
