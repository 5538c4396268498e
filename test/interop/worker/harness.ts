/**
 * Starts the interop worker (./app.ts, a real DBOS application) as a child process and stops it again.
 * Nothing here imitates DBOS: the worker is the SDK itself, talking to the same Postgres as the client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

export interface WorkerOptions {
  databaseUrl: string;
  appName: string;
  appVersion: string;
  /** A file that receives everything the worker prints, as it prints it (test files read the scheduler's log). */
  logFile?: string;
  /** How long to wait for `WORKER READY` before giving up. */
  startTimeoutMs?: number;
}

export interface RunningWorker {
  readonly appName: string;
  readonly appVersion: string;
  readonly pid: number;
  /** Everything the worker printed, for failure reports. */
  output(): string;
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', APP], {
    env: {
      ...process.env,
      DBOS_SYSTEM_DATABASE_URL: options.databaseUrl,
      INTEROP_APP_NAME: options.appName,
      INTEROP_APP_VERSION: options.appVersion,
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk;
    if (options.logFile) appendFileSync(options.logFile, chunk);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  // A worker must never outlive the test run, even when the runner is killed.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const ready = await new Promise<{ appVersion: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready after ${options.startTimeoutMs ?? 60_000} ms:\n${output}`)),
      options.startTimeoutMs ?? 60_000,
    );
    const onData = () => {
      const line = /WORKER READY (\{.*\})/.exec(output);
      if (!line?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(JSON.parse(line[1]));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with code ${code} before it was ready:\n${output}`));
    });
  });
  if (ready.appVersion !== options.appVersion) {
    child.kill('SIGKILL');
    throw new Error(`worker runs version ${ready.appVersion}, expected ${options.appVersion}`);
  }

  return {
    appName: options.appName,
    appVersion: options.appVersion,
    pid: child.pid ?? -1,
    output: () => output,
    stop: () => stopChild(child).finally(() => process.off('exit', killOnExit)),
  };
}

/** SIGTERM, then SIGKILL if the process is still there after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it holds; fails with the last observed state when the time is up. */
export async function waitUntil(
  check: () => Promise<boolean>,
  { timeoutMs, intervalMs = 10 }: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
