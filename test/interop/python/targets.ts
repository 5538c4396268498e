/**
 * The two running variants of the DBOS Python app (see setup.ts), as the test files see them, and a dbos-edge
 * client for each. Workflow IDs carry a per-file run prefix so listings can be scoped to one test.
 */
import { afterAll, inject } from 'vitest';
import { DBOSClient } from '../../../src/index.ts';
import type { PythonSerializer } from './harness.ts';
import { closePythonProbe, type ProbeTarget } from './probe.ts';

export interface PythonTarget extends ProbeTarget {
  appVersion: string;
}

function pythonTarget(serializer: PythonSerializer): PythonTarget {
  const appVersion = inject('pyAppVersion');
  return serializer === 'pickle'
    ? { serializer, databaseUrl: inject('pyDatabaseUrl'), appName: inject('pyAppName'), appVersion }
    : { serializer, databaseUrl: inject('pyPortableDatabaseUrl'), appName: inject('pyPortableAppName'), appVersion };
}

export const BOTH_VARIANTS: PythonSerializer[] = ['pickle', 'portable'];

/**
 * A dbos-edge client as a user of that app would configure it. The pickle app is detected from its own pickled
 * rows; an app configured with portable JSON leaves no sign of its language, so its users name it.
 */
function edgeClient(target: PythonTarget): DBOSClient {
  return new DBOSClient({
    systemDatabaseUrl: target.databaseUrl,
    applicationName: target.appName,
    polling: { minIntervalMs: 5, maxIntervalMs: 200 },
    ...(target.serializer === 'portable' ? { schedulerApp: { language: 'python', serializer: 'portable' } } : {}),
  });
}

/** Unique workflow IDs under one prefix per test file and variant. */
function idMaker(file: string, serializer: PythonSerializer) {
  const prefix = `${file}-${serializer}-${Date.now().toString(36)}-`;
  return { prefix, uid: (label: string) => `${prefix}${label}-${Math.random().toString(36).slice(2, 8)}` };
}

/**
 * What a describe block against one variant needs: its target, IDs under a run prefix, and a dbos-edge client
 * (its constructor does no I/O, so it is made right away) destroyed after the block.
 */
export function pythonSuite(file: string, serializer: PythonSerializer) {
  const target = pythonTarget(serializer);
  const client = edgeClient(target);
  afterAll(() => Promise.all([client.destroy(), closePythonProbe(target)]));
  const statusOf = async (id: string) => (await client.getWorkflow(id))?.status;
  return { target, client, statusOf, ...idMaker(file, serializer) };
}
