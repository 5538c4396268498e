/**
 * The interop scenarios through Neon HTTP: a real DBOS worker (@dbos-inc/dbos-sdk, over TCP) runs what a client on
 * the Neon HTTP driver enqueues, and that client reads results, events and streams back by polling (no LISTEN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neonHttpDriver } from '../../../adapters/neon-http.ts';
import type { Driver } from '../../../src/driver.ts';
import { DBOSClient, DBOSQueueDuplicatedError, DBOSWorkflowError } from '../../../src/index.ts';
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from '../../fixtures/neon-http-endpoint.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg.ts';
import { type RunningWorker, startWorker } from '../../interop/worker/harness.ts';

const appName = 'edge-neon-interop';
let db: TestDatabase;
let worker: RunningWorker | undefined;
let endpoint: NeonHttpEndpoint;
let driver: Driver;
let client: DBOSClient;

beforeAll(async () => {
  db = await createTestDatabase('edge_neon_interop');
  endpoint = await startNeonHttpEndpoint();
  worker = await startWorker({ databaseUrl: db.url, appName, appVersion: 'v1' });
  driver = neonHttpDriver(endpoint.connectionString(db.name), { fetchEndpoint: endpoint.url });
  client = new DBOSClient({ driver, applicationName: appName, polling: { minIntervalMs: 10, maxIntervalMs: 100 } });
});

afterAll(async () => {
  await client?.destroy();
  await driver?.close();
  await worker?.stop();
  await endpoint?.close();
  await db?.drop();
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

describe('a real DBOS worker, driven through Neon HTTP', () => {
  it('runs portable and native workflows; each enqueue is one HTTP request', async () => {
    const add = await client.enqueue<number>({ queueName: 'interop', workflowName: 'add' }, 2, 3);
    expect(await add.getResult({ timeoutMs: 30_000 })).toBe(5);
    expect(await add.getStatus()).toMatchObject({ status: 'SUCCESS', output: 5, applicationName: appName });
    const args = [new Date('2026-11-24T12:00:00.000Z'), new Map([['k', { ü: '✓' }]]), 42n];
    const echo = await client.enqueue<unknown[]>(
      { queueName: 'interop', workflowName: 'echo', serializationType: 'native' },
      ...args,
    );
    expect(await echo.getResult({ timeoutMs: 30_000 })).toEqual(args);
    const counted = endpoint.requests.length;
    await client.enqueue({ queueName: 'interop', workflowName: 'add' }, 1, 1);
    expect(endpoint.requests.length - counted).toBe(1);
    expect(endpoint.requests.at(-1)?.kind).toBe('query');
  });

  it('rebuilds a workflow error, and refuses a duplicate deduplication ID', async () => {
    const failing = await client.enqueue({ queueName: 'interop', workflowName: 'failing' }, 'card declined');
    const err = await failing.getResult({ timeoutMs: 30_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(DBOSWorkflowError);
    expect(err).toMatchObject({ name: 'PaymentError', errorCode: 'E_PAY', data: { msg: 'card declined' } });
    const dedup = `dedup-${Math.random().toString(36).slice(2, 8)}`;
    await client.enqueue({ queueName: 'interop', workflowName: 'receiver', deduplicationID: dedup }, 'never');
    await expect(
      client.enqueue({ queueName: 'interop', workflowName: 'receiver', deduplicationID: dedup }, 'never'),
    ).rejects.toBeInstanceOf(DBOSQueueDuplicatedError);
  });

  it('sends a message to DBOS.recv', async () => {
    const receiver = await client.enqueue({ queueName: 'interop', workflowName: 'receiver' }, 'topic-a');
    await client.send(receiver.workflowID, { hello: 'world' }, 'topic-a', 'once');
    await client.send(receiver.workflowID, { hello: 'again' }, 'topic-a', 'once'); // same key: not delivered twice
    expect(await receiver.getResult({ timeoutMs: 30_000 })).toEqual({ hello: 'world' });
  });

  it('reads events the workflow sets before and after a message', async () => {
    const emitter = await client.enqueue({ queueName: 'interop', workflowName: 'emitter' });
    expect(await client.getEvent(emitter.workflowID, 'before', { timeoutMs: 30_000 })).toBe('early');
    await client.send(emitter.workflowID, 'now', 'go');
    expect(await client.getEvent(emitter.workflowID, 'after', { timeoutMs: 30_000 })).toEqual({ go: 'now' });
    expect(await emitter.getResult({ timeoutMs: 30_000 })).toBe('now');
  });

  it('reads a stream while it is written, up to its close', async () => {
    const streamer = await client.enqueue({ queueName: 'interop', workflowName: 'streamer' }, 5, 'close', 20);
    const values = await collect(client.readStream(streamer.workflowID, 's', { timeoutMs: 30_000 }));
    expect(values).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    expect(await streamer.getResult({ timeoutMs: 30_000 })).toBe(5);
  });
});
