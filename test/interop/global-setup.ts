/**
 * One real DBOS worker for the whole interop suite: a fresh database, the worker app on it, and the facts the
 * test files need, handed over with vitest's provide/inject. Torn down (worker stopped, database dropped) at the end.
 */
import type { TestProject } from 'vitest/node';
import { createTestDatabase } from '../helpers/pg.ts';
import { startWorker } from './worker/harness.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    interopDatabaseUrl: string;
    interopAppName: string;
    interopAppVersion: string;
  }
}

export default async function setup(project: TestProject) {
  const db = await createTestDatabase('edge_interop');
  const appName = 'edge-interop';
  const appVersion = process.env.INTEROP_APP_VERSION ?? 'v1';
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    worker = await startWorker({ databaseUrl: db.url, appName, appVersion });
  } catch (error) {
    await db.drop();
    throw error;
  }
  project.provide('interopDatabaseUrl', db.url);
  project.provide('interopAppName', appName);
  project.provide('interopAppVersion', appVersion);
  return async () => {
    await worker?.stop();
    await db.drop();
  };
}
