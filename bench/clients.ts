/**
 * The two clients behind one interface, so every case runs the same calls on both and cannot favour one.
 * Each also counts the SQL queries its `getResult` issues, to show what waiting costs the database.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import { postgresDriver } from '../adapters/postgres.ts';
import { DBOSClient, type Driver } from '../src/index.ts';

export const APP_NAME = 'edge-bench';
/** The SDK client's `getResult` polls every 1000 ms by default; the bench tunes it to its fastest useful rate. */
export const SDK_POLLING_INTERVAL_MS = 10;

export interface ListOptions {
  status: 'SUCCESS';
  limit: number;
  loadInput?: boolean;
  loadOutput?: boolean;
}

export interface Listed {
  status: string;
  input?: unknown;
  output?: unknown;
}

export interface Contender {
  readonly name: 'edge' | 'sdk';
  enqueue(queueName: string, workflowName: string, args: unknown[]): Promise<void>;
  /** Enqueues, awaits the result, and reports the queries the wait (not the enqueue) issued. */
  call(queueName: string, workflowName: string, args: unknown[]): Promise<{ result: unknown; waitQueries: number }>;
  list(options: ListOptions): Promise<Listed[]>;
  destroy(): Promise<void>;
}

/**
 * The driver a URL would open, counting its round trips. `listen` is passed through untouched, so the client
 * behaves as with its default driver.
 */
function countingDriver(url: string): Driver & { queries(): number } {
  const inner = postgresDriver(url);
  let count = 0;
  return {
    query: (text, params) => {
      count += 1;
      return inner.query(text, params);
    },
    batch: (statements) => {
      count += 1;
      return inner.batch(statements);
    },
    ...(inner.listen && { listen: inner.listen }),
    close: () => inner.close(),
    queries: () => count,
  };
}

/** A contender with its client, for calls only that client has (or whose arguments differ between the two). */
export type WithClient<C> = Contender & { readonly client: C };

/** dbos-edge with its defaults; only its driver is wrapped, to count queries. */
export function edgeContender(url: string): WithClient<DBOSClient> {
  const driver = countingDriver(url);
  const client = new DBOSClient({ driver, applicationName: APP_NAME });
  return {
    name: 'edge',
    client,
    async enqueue(queueName, workflowName, args) {
      await client.enqueue({ queueName, workflowName }, ...args);
    },
    async call(queueName, workflowName, args) {
      const handle = await client.enqueue({ queueName, workflowName }, ...args);
      const before = driver.queries();
      const result = await handle.getResult();
      return { result, waitQueries: driver.queries() - before };
    },
    list: (options) => client.listWorkflows(options),
    async destroy() {
      await client.destroy();
      // A driver passed in stays the caller's to close.
      await driver.close();
    },
  };
}

export async function sdkContender(url: string): Promise<WithClient<SdkClient>> {
  const client = await SdkClient.create({ systemDatabaseUrl: url, applicationName: APP_NAME });
  const queries = countPoolQueries(client);
  return {
    name: 'sdk',
    client,
    async enqueue(queueName, workflowName, args) {
      await client.enqueue({ queueName, workflowName }, ...args);
    },
    async call(queueName, workflowName, args) {
      const handle = await client.enqueue({ queueName, workflowName }, ...args);
      const before = queries();
      const result = await handle.getResult({ pollingIntervalMs: SDK_POLLING_INTERVAL_MS });
      return { result, waitQueries: queries() - before };
    },
    list: (options) => client.listWorkflows(options),
    destroy: () => client.destroy(),
  };
}

/**
 * Counts `pool.query` calls of the SDK client's pg pool, which is how its `getResult` polls. The pool is
 * declared private in the SDK's types (public at runtime), so this reaches past them; instrumentation only.
 */
function countPoolQueries(client: SdkClient): () => number {
  type Query = (...args: unknown[]) => unknown;
  const pool = (client as unknown as { systemDatabase?: { pool?: { query?: Query } } }).systemDatabase?.pool;
  const query = pool?.query;
  if (!pool || typeof query !== 'function') throw new Error('the SDK client no longer has systemDatabase.pool');
  let count = 0;
  pool.query = (...args) => {
    count += 1;
    return query.apply(pool, args);
  };
  return () => count;
}
