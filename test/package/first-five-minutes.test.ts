/**
 * The README's first five minutes, run as a newcomer would: `npm run dev` (the service on the embedded database,
 * served over the Postgres wire protocol), the example DBOS workers (TypeScript on @dbos-inc/dbos-sdk, Python on
 * the vendored DBOS Transact runtime) connected to it, then every command of the README's curl block and the
 * enqueue script. Ports and the data folder are fresh ones; everything else is as the README says.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBOSClient } from '../../src/index.ts';
import { freePort } from '../helpers/net.ts';
import { ROOT, run } from './installed-app.ts';

// The DBOS Transact Python runtime that needs no PyPI (its README.txt says how it is built and used).
const PY_RUNTIME = process.env.DBOS_PY_RUNTIME ?? '/work/shared/vendor/dbos-py-2.30.0-runtime.tar.gz';

interface Started {
  readonly child: ChildProcess;
  output(): string;
}

const started: Started[] = [];

/** Starts a command in its own process group and resolves once its output matches `ready`. */
async function start(command: string, args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const process_: Started = { child, output: () => output };
  started.push(process_);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return process_;
}

let dataDir: string;
let pyRoot: string;
let httpPort: number;
let pgPort: number;
let devDatabaseUrl: string;
let dev: Started;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dbos-edge-dev-'));
  httpPort = await freePort();
  pgPort = await freePort();
  dev = await start(
    'npm',
    ['run', 'dev'],
    { PORT: String(httpPort), DBOS_EDGE_DEV_PG_PORT: String(pgPort), DBOS_EDGE_DATA_DIR: join(dataDir, 'pglite') },
    /listening on/,
  );
  devDatabaseUrl = /DBOS_SYSTEM_DATABASE_URL=(\S+)/.exec(dev.output())?.[1] as string;
}, 120_000);

afterAll(async () => {
  for (const { child } of started.reverse()) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    // A process stuck after a failed test must not outlive the run: the group is killed if SIGTERM is not enough.
    const stuck = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(stuck);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (pyRoot) await rm(pyRoot, { recursive: true, force: true });
});

describe('npm run dev', () => {
  it('prints the Postgres URL of its embedded database', () => {
    expect(devDatabaseUrl).toBe(`postgres://postgres@127.0.0.1:${pgPort}/postgres`);
    expect(dev.output()).toContain(`http://127.0.0.1:${httpPort}`);
  });
});

describe('with the TypeScript example worker', () => {
  beforeAll(async () => {
    await start(
      process.execPath,
      ['--import', 'tsx', 'examples/ts-worker/worker.ts'],
      { DBOS_SYSTEM_DATABASE_URL: devDatabaseUrl },
      /worker ready/,
    );
  }, 60_000);

  it('runs every command of the README curl block, with the results it shows', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = /```sh\n(curl [\s\S]*?)```/.exec(readme)?.[1] as string;
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.startsWith('curl ')).length).toBeGreaterThanOrEqual(3);
    for (const [i, line] of lines.entries()) {
      if (line.startsWith('#')) continue;
      const command = line.replaceAll('localhost:3000', `127.0.0.1:${httpPort}`);
      const { stdout } = await run('sh', ['-c', command], {
        cwd: ROOT,
        env: { ...process.env, DBOS_SYSTEM_DATABASE_URL: devDatabaseUrl, NO_COLOR: '1' },
        timeout: 60_000,
      });
      const shown = lines[i + 1]?.startsWith('# {') ? JSON.parse((lines[i + 1] as string).slice(2)) : undefined;
      const last = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      if (shown !== undefined) expect(last, command).toEqual(shown);
      else if (command.startsWith('curl')) expect(last.workflows[0], command).toMatchObject({ input: ['Ada'] });
      else expect(last.result, command).toMatchObject({ greeting: 'Hello, Grace!', by: 'typescript' });
    }
  });

  it('finishes workflows enqueued many at once (connections take turns on the one embedded session)', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: devDatabaseUrl, applicationName: 'example-ts' });
    try {
      const names = Array.from({ length: 20 }, (_, n) => `n${n}`);
      const handles = await Promise.all(
        names.map((n) => client.enqueue({ queueName: 'example', workflowName: 'greet' }, n)),
      );
      const results = await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 60_000 })));
      expect(results.map((r) => (r as { greeting: string }).greeting)).toEqual(names.map((n) => `Hello, ${n}!`));
    } finally {
      await client.destroy();
    }
    expect(dev.output()).not.toMatch(/"level":"error"/);
  });
});

describe('with the Python example worker', () => {
  beforeAll(async () => {
    if (!existsSync(PY_RUNTIME)) throw new Error(`${PY_RUNTIME} is missing: the Python example needs the runtime`);
    pyRoot = await mkdtemp(join(tmpdir(), 'dbos-py-'));
    await run('tar', ['xzf', PY_RUNTIME, '-C', pyRoot]);
    await start(
      'examples/python-worker/run.sh',
      [],
      {
        DBOS_PY_ROOT: join(pyRoot, 'dbos-py'),
        DBOS_SYSTEM_DATABASE_URL: devDatabaseUrl.replace(/^postgres:/, 'postgresql:'),
      },
      /worker ready/,
    );
  }, 60_000);

  it('runs what the enqueue script sends it', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'example', '--', 'py', 'Grace'], {
      cwd: ROOT,
      env: { ...process.env, DBOS_SYSTEM_DATABASE_URL: devDatabaseUrl },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(out.result).toEqual({ greeting: 'Hello, Grace!', by: 'python', workflowID: out.workflowID });
  });
});
