/**
 * The two variants of the DBOS Python app for the interop suite, each on its own fresh database: the default
 * (pickle) serializer and the portable JSON one. Started concurrently; `stop` stops both and drops the databases.
 */
import { createTestDatabase, type TestDatabase } from '../../helpers/pg.ts';
import { type PythonSerializer, type RunningPythonApp, startPythonApp } from './harness.ts';

export interface PythonAppFacts {
  databaseUrl: string;
  appName: string;
  appVersion: string;
}

export interface PythonApps {
  pickle: PythonAppFacts;
  portable: PythonAppFacts;
  stop(): Promise<void>;
}

const APP_VERSION = 'py-v1';

export async function startPythonApps(): Promise<PythonApps> {
  const databases: TestDatabase[] = [];
  const apps: RunningPythonApp[] = [];
  const stop = async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await Promise.allSettled(databases.map((db) => db.drop()));
  };
  const startOne = async (serializer: PythonSerializer): Promise<PythonAppFacts> => {
    const db = await createTestDatabase(`edge_interop_py_${serializer}`);
    databases.push(db);
    const appName = `edge-interop-py-${serializer}`;
    apps.push(await startPythonApp({ databaseUrl: db.url, appName, appVersion: APP_VERSION, serializer }));
    return { databaseUrl: db.url, appName, appVersion: APP_VERSION };
  };
  // Settle both before cleaning up, so a failure of one never leaves the other running.
  const [pickle, portable] = await Promise.allSettled([startOne('pickle'), startOne('portable')]);
  if (pickle.status === 'fulfilled' && portable.status === 'fulfilled') {
    return { pickle: pickle.value, portable: portable.value, stop };
  }
  await stop();
  throw pickle.status === 'rejected' ? pickle.reason : (portable as PromiseRejectedResult).reason;
}
