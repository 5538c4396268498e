/**
 * Starts the interop suite's DBOS Python app (./app.py, on the vendored runtime) as a child process and stops it.
 * The app is DBOS itself: nothing here imitates it. Its output is kept for failure reports.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../worker/harness.ts';
import { ensurePythonRuntime, PYTHON, pythonDatabaseUrl, pythonEnvironment } from './runtime.ts';

const APP = fileURLToPath(new URL('./app.py', import.meta.url));

/** `pickle` is DBOS's default serializer; `portable` configures the app with the portable JSON serializer. */
export type PythonSerializer = 'pickle' | 'portable';

export interface PythonAppOptions {
  databaseUrl: string;
  appName: string;
  appVersion: string;
  serializer: PythonSerializer;
  /** How long to wait for `PY APP READY` before giving up. */
  startTimeoutMs?: number;
}

export interface RunningPythonApp {
  readonly appName: string;
  readonly appVersion: string;
  readonly serializer: PythonSerializer;
  /** Everything the app printed, for failure reports. */
  output(): string;
  stop(): Promise<void>;
}

export async function startPythonApp(options: PythonAppOptions): Promise<RunningPythonApp> {
  ensurePythonRuntime();
  const child = spawn(PYTHON, [APP], {
    env: {
      ...pythonEnvironment(),
      DBOS_SYSTEM_DATABASE_URL: pythonDatabaseUrl(options.databaseUrl),
      INTEROP_APP_NAME: options.appName,
      INTEROP_APP_VERSION: options.appVersion,
      INTEROP_PY_SERIALIZER: options.serializer,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // The app must never outlive the test run, even when the runner is killed.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const label = `python app (${options.serializer})`;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    const ready = await new Promise<{ appVersion: string; serializer: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} not ready after ${startTimeoutMs} ms:\n${output}`)),
        startTimeoutMs,
      );
      const onData = () => {
        const line = /PY APP READY (\{.*\})/.exec(output);
        if (!line?.[1]) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(JSON.parse(line[1]));
      };
      child.stdout?.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${label} could not start: ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${label} exited with code ${code} before it was ready (a missing module means an apt package ` +
              `is missing: see .ci/run):\n${output}`,
          ),
        );
      });
    });
    if (ready.appVersion !== options.appVersion || ready.serializer !== options.serializer) {
      throw new Error(`${label} reports ${JSON.stringify(ready)}, expected version ${options.appVersion}`);
    }
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  }

  return {
    appName: options.appName,
    appVersion: options.appVersion,
    serializer: options.serializer,
    output: () => output,
    stop: () => stopChild(child).finally(() => process.off('exit', killOnExit)),
  };
}
