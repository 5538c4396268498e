/**
 * The packed package, installed in a fresh app (test/package/installed-app.ts), used the ways the README offers:
 * plain Node ESM and `require`, Deno (from node_modules and through an `npm:` specifier, offline), Bun, a `tsc`
 * consumer on `module: nodenext`, and a Cloudflare Worker bundled by wrangler. Each runtime enqueues a workflow on
 * the real Postgres and reads it back. Then the HTTP service runs from dist/ after `npm ci --omit=dev`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.ts';
import { createDbosDatabase, type TestDatabase } from '../helpers/pg.ts';
import { type InstalledApp, installPackedPackage, ROOT, run } from './installed-app.ts';

const DENO = join(ROOT, 'node_modules/deno/deno');
const BUN = join(ROOT, 'node_modules/bun/bin/bun.exe');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');

// Enqueues one workflow and prints what the database holds for it. The same file runs on Node, Deno and Bun.
const CLIENT_SCRIPT = (specifier: string) => `
import { DBOSClient, ValidationError } from '${specifier}';
const env = (name) => (typeof Deno !== 'undefined' ? Deno.env.get(name) : process.env[name]);
const client = new DBOSClient({ systemDatabaseUrl: env('DATABASE_URL'), applicationName: 'smoke' });
try {
  const handle = await client.enqueue({ queueName: 'q', workflowName: 'hello' }, env('RUNTIME'));
  const status = await client.getWorkflow(handle.workflowID);
  console.log(JSON.stringify({ status: status?.status, input: status?.input, validation: typeof ValidationError }));
} finally {
  await client.destroy();
}
`;

let app: InstalledApp;
let db: TestDatabase;

beforeAll(async () => {
  [app, db] = await Promise.all([installPackedPackage(), createDbosDatabase('package_smoke')]);
}, 180_000);

afterAll(async () => {
  await db?.drop();
  await app?.remove();
});

/** Runs a command in the app folder and parses the last line it printed as JSON. */
async function lastJsonLine(command: string, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(command, args, {
    cwd: app.dir,
    env: { ...process.env, NO_COLOR: '1', DATABASE_URL: db.url, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

describe('the tarball', () => {
  it('holds the build, the license and the README, and no tests, benches or sources', () => {
    expect(app.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(app.files).toEqual(expect.arrayContaining(['dist/src/index.js', 'dist/src/index.d.ts']));
    expect(
      app.files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f)),
    ).toEqual([]);
    expect(app.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs without the optional drivers, and says which package a pglite: URL needs', async () => {
    await expect(stat(join(app.dir, 'node_modules/@electric-sql/pglite'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(app.dir, 'node_modules/@neondatabase/serverless'))).rejects.toThrow(/ENOENT/);
    await app.writeFile(
      'missing-peer.mjs',
      `import { DBOSClient } from 'dbos-edge';
const client = new DBOSClient({ systemDatabaseUrl: 'pglite:' });
try { await client.listWorkflows({}); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
    );
    const out = await lastJsonLine(process.execPath, ['missing-peer.mjs']);
    expect(out.code).toBe('CONFIG');
    expect(out.message).toContain('npm install @electric-sql/pglite');
  });
});

describe('the dbos-edge command', () => {
  it('serves the HTTP service from the installed package, naming what its configuration lacks', async () => {
    const result = await run(join(app.dir, 'node_modules/.bin/dbos-edge'), ['serve'], {
      cwd: app.dir,
      env: { PATH: process.env.PATH ?? '', DBOS_SYSTEM_DATABASE_URL: db.url },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toMatch(/^dbos-edge: refusing to start: .*DBOS_EDGE_API_TOKENS/);
  });
});

describe('importing the installed package', () => {
  it('works from plain Node ESM, every entry point', async () => {
    await app.writeFile('node-client.mjs', CLIENT_SCRIPT('dbos-edge'));
    expect(await lastJsonLine(process.execPath, ['node-client.mjs'], { RUNTIME: 'node' })).toEqual({
      status: 'ENQUEUED',
      input: ['node'],
      validation: 'function',
    });
    await app.writeFile(
      'entries.mjs',
      `const names = ['dbos-edge', 'dbos-edge/http', 'dbos-edge/postgres', 'dbos-edge/neon-http', 'dbos-edge/neon-ws', 'dbos-edge/pglite'];
const modules = await Promise.all(names.map((n) => import(n)));
console.log(JSON.stringify(modules.map((m) => Object.keys(m).length)));`,
    );
    const counts: number[] = await lastJsonLine(process.execPath, ['entries.mjs']);
    expect(counts).toHaveLength(6);
    for (const count of counts) expect(count).toBeGreaterThan(0);
  });

  it('works from CommonJS with require()', async () => {
    await app.writeFile(
      'client.cjs',
      `const { DBOSClient } = require('dbos-edge');
const { createApp } = require('dbos-edge/http');
const { postgresDriver } = require('dbos-edge/postgres');
console.log(JSON.stringify([typeof DBOSClient, typeof createApp, typeof postgresDriver]));`,
    );
    expect(await lastJsonLine(process.execPath, ['client.cjs'])).toEqual(['function', 'function', 'function']);
  });

  // No registry (an unreachable one is set): Deno resolves both from the app's node_modules, because the app has a
  // package.json and a node_modules folder (Deno's "bring your own node_modules" mode).
  const offline = { NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/' };

  it('works from Deno, from node_modules', async () => {
    await app.writeFile('deno-client.ts', CLIENT_SCRIPT('dbos-edge'));
    const out = await lastJsonLine(DENO, ['run', '-A', '--cached-only', 'deno-client.ts'], {
      ...offline,
      RUNTIME: 'deno',
    });
    expect(out).toEqual({ status: 'ENQUEUED', input: ['deno'], validation: 'function' });
  });

  it('works from Deno through an npm: specifier', async () => {
    await app.writeFile('deno-npm.ts', CLIENT_SCRIPT('npm:dbos-edge@0.1.0'));
    const out = await lastJsonLine(DENO, ['run', '-A', '--cached-only', 'deno-npm.ts'], {
      ...offline,
      RUNTIME: 'deno-npm',
    });
    expect(out).toEqual({ status: 'ENQUEUED', input: ['deno-npm'], validation: 'function' });
  });

  it('works from Bun', async () => {
    await app.writeFile('bun-client.ts', CLIENT_SCRIPT('dbos-edge'));
    const out = await lastJsonLine(BUN, ['bun-client.ts'], { RUNTIME: 'bun' });
    expect(out).toEqual({ status: 'ENQUEUED', input: ['bun'], validation: 'function' });
  });

  it('type-checks in a tsc consumer on module nodenext, ESM and CommonJS, with zero errors', async () => {
    await app.writeFile(
      'tsc/main.ts',
      `import { DBOSClient, DBOSWorkflowError, type EnqueueOptions, type WorkflowStatus } from 'dbos-edge';
import { configFromEnv, createApp } from 'dbos-edge/http';
import { neonHttpDriver } from 'dbos-edge/neon-http';
import { postgresDriver } from 'dbos-edge/postgres';

const options: EnqueueOptions = { queueName: 'q', workflowName: 'hello' };
const client = new DBOSClient({ systemDatabaseUrl: 'postgres://localhost/app_dbos_sys' });
const handle = await client.enqueue(options, 1, 'two');
const status: WorkflowStatus | undefined = await client.getWorkflow(handle.workflowID);
export const failed: boolean = status?.error instanceof DBOSWorkflowError;
export const app = createApp({ ...configFromEnv({}).app, client });
export const drivers = [postgresDriver, neonHttpDriver] as const;
`,
    );
    await app.writeFile(
      'tsc/legacy.cts',
      `import edge = require('dbos-edge');
export const Client: typeof edge.DBOSClient = edge.DBOSClient;
`,
    );
    await app.writeFile(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node'],
        },
        include: ['tsc'],
      }),
    );
    const result = await run(TSC, ['-p', '.'], { cwd: app.dir }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  });

  it('bundles into a Cloudflare Worker with wrangler, without the optional drivers installed', async () => {
    await app.writeFile(
      'cf/worker.ts',
      `import { DBOSClient } from 'dbos-edge';

export default {
  async fetch(_request: Request, env: { DBOS_SYSTEM_DATABASE_URL: string }): Promise<Response> {
    const client = new DBOSClient({ systemDatabaseUrl: env.DBOS_SYSTEM_DATABASE_URL, connection: 'per-request' });
    return Response.json(await client.listWorkflows({ limit: 5 }));
  },
};
`,
    );
    await app.writeFile(
      'cf/wrangler.toml',
      'name = "smoke"\nmain = "worker.ts"\ncompatibility_date = "2025-09-01"\ncompatibility_flags = ["nodejs_compat"]\n',
    );
    const { stdout } = await run(WRANGLER, ['deploy', '--dry-run', '--outdir', 'out'], {
      cwd: join(app.dir, 'cf'),
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/Total Upload/);
    const bundle = await readFile(join(app.dir, 'cf/out/worker.js'), 'utf8');
    expect(bundle).toContain('listWorkflows');
  });
});

describe('JSR', () => {
  it('takes the package as @dbos-edge/client without slow types (deno publish --dry-run)', async () => {
    const { stdout, stderr } = await run(DENO, ['publish', '--dry-run', '--allow-dirty'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    const output = stdout + stderr;
    expect(output).toContain('Success Dry run complete');
    expect(output).not.toMatch(/^error/m);
  });
});

describe('the HTTP service from dist/ with production dependencies only', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts with `npm ci --omit=dev && npm start`, then enqueues and reads over HTTP', async () => {
    // What a deployment does after the build: the manifest, the lockfile and dist/, then production installs only.
    dir = await mkdtemp(join(tmpdir(), 'dbos-edge-server-'));
    for (const file of ['package.json', 'package-lock.json']) await cp(join(ROOT, file), join(dir, file));
    await cp(join(app.dir, 'node_modules/dbos-edge/dist'), join(dir, 'dist'), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
    await expect(stat(join(dir, 'node_modules/tsx'))).rejects.toThrow(/ENOENT/);

    const port = await freePort();
    const token = 'package-smoke-token-0000001';
    const started = spawn('npm', ['start'], {
      cwd: dir,
      detached: true, // its own process group, so the stop reaches node under npm
      env: {
        ...process.env,
        DBOS_SYSTEM_DATABASE_URL: db.url,
        DBOS_EDGE_API_TOKENS: `full:${token}`,
        DBOS_EDGE_TICK_INTERVAL_MS: '0',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    const up = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('listening on')) resolve();
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', onData);
      started.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
    });
    await up;
    expect(output).toContain(`http://127.0.0.1:${port}`);

    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const enqueued = await fetch(`${base}/v1/workflows`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ options: { queueName: 'q', workflowName: 'hello' }, args: ['over http'] }),
    });
    expect(enqueued.status).toBe(201);
    const { workflowID } = (await enqueued.json()) as { workflowID: string };
    const read = await fetch(`${base}/v1/workflows/${workflowID}`, { headers });
    expect(await read.json()).toMatchObject({ workflowID, status: 'ENQUEUED', input: ['over http'] });
    expect((await fetch(`${base}/v1/workflows/${workflowID}`)).status).toBe(401);

    const exited = new Promise((resolve) => started.on('exit', resolve));
    process.kill(-(started.pid as number), 'SIGTERM');
    await exited;
  });
});
