/**
 * The real DBOS applications for the whole interop suite, each on a fresh database: the TypeScript worker, and the
 * Python app in its two serializer variants (python/setup.ts). They start concurrently; the facts the test files
 * need are handed over with vitest's provide/inject. Torn down (apps stopped, databases dropped) at the end.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createTestDatabase } from '../helpers/pg.ts';
import { type PythonApps, startPythonApps } from './python/setup.ts';
import { startWorker } from './worker/harness.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    interopDatabaseUrl: string;
    interopAppName: string;
    interopAppVersion: string;
    /** Everything the TypeScript worker prints, as it prints it. */
    interopWorkerLog: string;
    pyDatabaseUrl: string;
    pyAppName: string;
    pyPortableDatabaseUrl: string;
    pyPortableAppName: string;
    pyAppVersion: string;
  }
}

async function startTsWorker() {
  const db = await createTestDatabase('edge_interop');
  const appName = 'edge-interop';
  const appVersion = process.env.INTEROP_APP_VERSION ?? 'v1';
  const logFile = join(tmpdir(), `${db.name}.log`);
  try {
    const worker = await startWorker({ databaseUrl: db.url, appName, appVersion, logFile });
    return {
      db,
      appName,
      appVersion,
      logFile,
      stop: async () => {
        await worker.stop();
        await db.drop();
        await rm(logFile, { force: true });
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

export default async function setup(project: TestProject) {
  const [ts, py] = await Promise.allSettled([startTsWorker(), startPythonApps()]);
  if (ts.status === 'rejected' || py.status === 'rejected') {
    await Promise.allSettled([ts, py].map((started) => (started.status === 'fulfilled' ? started.value.stop() : null)));
    throw ts.status === 'rejected' ? ts.reason : (py as PromiseRejectedResult).reason;
  }
  project.provide('interopDatabaseUrl', ts.value.db.url);
  project.provide('interopAppName', ts.value.appName);
  project.provide('interopAppVersion', ts.value.appVersion);
  project.provide('interopWorkerLog', ts.value.logFile);
  const pythonApps: PythonApps = py.value;
  project.provide('pyDatabaseUrl', pythonApps.pickle.databaseUrl);
  project.provide('pyAppName', pythonApps.pickle.appName);
  project.provide('pyPortableDatabaseUrl', pythonApps.portable.databaseUrl);
  project.provide('pyPortableAppName', pythonApps.portable.appName);
  project.provide('pyAppVersion', pythonApps.portable.appVersion);
  return async () => {
    await Promise.allSettled([ts.value.stop(), pythonApps.stop()]);
  };
}
