/**
 * send / getEvent / readStream against a real Postgres with a DBOS schema made by ensureSchema. Rows a worker
 * would write (events, stream values, the legacy close marker) are written here with plain SQL; the interop
 * suite covers the same calls against a real DBOS worker.
 */
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

import { postgresDriver } from '../../adapters/postgres.ts';
import { DBOSClient, DBOSNonExistentWorkflowError, MAX_MESSAGES, ValidationError } from '../../src/index.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createDbosDatabase('edge_comm');
  sql = db.sql;
});

afterAll(() => db?.drop());

async function workflow(status = 'PENDING'): Promise<string> {
  const id = crypto.randomUUID();
  await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at)
            VALUES (${id}, ${status}, 'w', 0, 0)`;
  return id;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

describe('bad input is refused before any SQL, naming the field', () => {
  it.each([
    ['an empty destination', (c: DBOSClient) => c.send('', 'm'), 'destinationID'],
    ['a blank topic', (c: DBOSClient) => c.send('w', 'm', ' '), 'topic'],
    ['an empty idempotency key', (c: DBOSClient) => c.send('w', 'm', undefined, ''), 'idempotencyKey'],
    ['an unserialisable message', (c: DBOSClient) => c.send('w', Symbol('x')), 'message'],
    [
      'an unknown send option',
      (c: DBOSClient) => c.send('w', 'm', undefined, undefined, { ttl: 1 } as never),
      'options.ttl',
    ],
    ['no messages', (c: DBOSClient) => c.sendMany([]), 'messages'],
    [
      'too many messages',
      (c: DBOSClient) => c.sendMany(Array(MAX_MESSAGES + 1).fill({ destinationID: 'w', message: 1 })),
      'messages',
    ],
    [
      'a message without destination',
      (c: DBOSClient) => c.sendMany([{ message: 1 } as never]),
      'messages.0.destinationID',
    ],
    ['an empty event key', (c: DBOSClient) => c.getEvent('w', ''), 'key'],
    ['a negative event timeout', (c: DBOSClient) => c.getEvent('w', 'k', { timeoutMs: -1 }), 'options.timeoutMs'],
    ['a negative stream offset', (c: DBOSClient) => collect(c.readStream('w', 's', { offset: -1 })), 'options.offset'],
  ] as [string, (c: DBOSClient) => Promise<unknown>, string][])('%s', async (_label, call, field) => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver });
    const err = (await call(client).catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i) => i.field)).toContain(field);
    expect(driver.calls).toEqual([]);
    await client.destroy();
    await driver.close();
  });
});

describe('send', () => {
  it('stores messages the way DBOS does: null topic, key::destination IDs, portable by default', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    const id = await workflow();
    await client.send(id, { a: 1 });
    await client.send(id, new Date(0), 'dates', 'k1', { serializationType: 'native' });
    await client.send(id, 'again', 'dates', 'k1');
    const rows = await sql`SELECT topic, message, serialization, message_uuid, consumed
                           FROM dbos.notifications WHERE destination_uuid = ${id} ORDER BY created_at_epoch_ms, topic`;
    expect(rows).toHaveLength(2);
    const [plain, keyed] = [rows.find((r) => r.topic === '__null__topic__'), rows.find((r) => r.topic === 'dates')];
    expect(plain).toMatchObject({ message: '{"a":1}', serialization: 'portable_json', consumed: false });
    expect(keyed).toMatchObject({
      message_uuid: `k1::${id}`,
      serialization: 'js_superjson',
      message: '{"json":"1970-01-01T00:00:00.000Z","meta":{"values":["Date"]},"__dbos_serializer":"superjson"}',
    });
    await client.destroy();
  });

  it('sends and sendMany are one statement each, and all-or-nothing', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver });
    const [a, b] = [await workflow(), await workflow()];
    await client.send(a, 1); // first call also reads the schema's features
    const before = driver.calls.length;
    await client.send(a, 2);
    await client.sendMany([
      { destinationID: a, message: 3 },
      { destinationID: b, message: 4, topic: 't' },
    ]);
    expect(driver.calls.length - before).toBe(2);
    const missing = await client
      .sendMany([
        { destinationID: a, message: 'never stored' },
        { destinationID: 'nope', message: 5 },
      ])
      .catch((e) => e);
    expect(missing).toBeInstanceOf(DBOSNonExistentWorkflowError);
    expect(missing.workflowID).toBe('nope');
    const [row] = await sql`SELECT count(*)::int AS n FROM dbos.notifications WHERE destination_uuid = ${a}`;
    expect(row?.n).toBe(3);
    await client.destroy();
    await driver.close();
  });
});

describe('getEvent', () => {
  it('reads events in any format a worker writes, and null at the timeout', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
    const id = await workflow();
    await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization) VALUES
      (${id}, 'portable', '{"x":[1,2]}', 'portable_json'),
      (${id}, 'native', '{"json":"2026-01-01T00:00:00.000Z","meta":{"values":["Date"]},"__dbos_serializer":"superjson"}', 'js_superjson')`;
    expect(await client.getEvent(id, 'portable')).toEqual({ x: [1, 2] });
    expect(await client.getEvent(id, 'native')).toEqual(new Date('2026-01-01T00:00:00.000Z'));
    expect(await client.getEvent(id, 'missing', { timeoutMs: 50 })).toBeNull();
    await client.destroy();
  });

  it('serves 2000 concurrent waiters with one listener connection and a handful of queries', async () => {
    const driver = countingDriver(postgresDriver(db.url, { max: 4 }));
    const client = new DBOSClient({ driver, applicationName: 'many-waiters' });
    const id = await workflow();
    await client.getEvent(id, 'warm', { timeoutMs: 1 }); // connect and detect the schema
    const before = driver.calls.length;
    const waits = Array.from({ length: 2000 }, (_, i) => client.getEvent(id, `k${i % 10}`, { timeoutMs: 20_000 }));
    await new Promise((r) => setTimeout(r, 300));
    const [activity] = await sql`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = ${db.name} AND pid <> pg_backend_pid()`;
    // The pool (at most 4) plus one LISTEN connection, plus this test's own 2.
    expect(activity?.n).toBeLessThanOrEqual(4 + 1 + 2);
    await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
      SELECT ${id}, 'k' || i, i::text, 'portable_json' FROM generate_series(0, 9) i`;
    for (let i = 0; i < 10; i++) await sql`SELECT pg_notify('dbos_workflow_events_channel', ${`${id}::k${i}`})`;
    const values = await Promise.all(waits);
    expect(values).toEqual(Array.from({ length: 2000 }, (_, i) => i % 10));
    // One shared lookup per wake-up or tick, never one per waiter.
    expect(driver.calls.length - before).toBeLessThan(40);
    await client.destroy();
    await driver.close();
  });
});

describe('readStream', () => {
  async function write(id: string, values: [number, string, string | null][]) {
    for (const [offset, value, serialization] of values) {
      await sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization)
                VALUES (${id}, 's', ${value}, ${offset}, ${serialization})`;
    }
  }

  it('ends at the current close marker and at the legacy one', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
    const current = await workflow();
    await write(current, [
      [0, '"a"', 'portable_json'],
      [1, '"__DBOS_STREAM_CLOSED__"', 'portable_json'],
      [2, '"after close"', 'portable_json'],
    ]);
    expect(await collect(client.readStream(current, 's'))).toEqual(['a']);
    const legacy = await workflow();
    await write(legacy, [
      [0, '{"json":"b","__dbos_serializer":"superjson"}', 'js_superjson'],
      [1, '__DBOS_STREAM_CLOSED__', null],
    ]);
    expect(await collect(client.readStream(legacy, 's'))).toEqual(['b']);
    await client.destroy();
  });

  it('reads long streams in pages, from any offset, and ends when the workflow has finished', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
    const id = await workflow('SUCCESS');
    await sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization)
      SELECT ${id}, 's', i::text, i, 'portable_json' FROM generate_series(0, 249) i`;
    const all = await collect(client.readStream<number>(id, 's'));
    expect(all).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(await collect(client.readStream(id, 's', { offset: 245 }))).toEqual([245, 246, 247, 248, 249]);
    expect(await collect(client.readStream(id, 's', { offset: 999 }))).toEqual([]);
    await client.destroy();
  });

  it('stops waiting at once when its signal aborts', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
    const id = await workflow();
    const stop = new AbortController();
    const reading = collect(client.readStream(id, 's', { signal: stop.signal }));
    const event = client.getEvent(id, 'never', { timeoutMs: 60_000, signal: stop.signal });
    const result = client.retrieveWorkflow(id).getResult({ signal: stop.signal });
    setTimeout(() => stop.abort(new Error('client went away')), 50);
    for (const pending of [reading, event, result]) await expect(pending).rejects.toThrow('client went away');
    await expect(collect(client.readStream(id, 's', { signal: AbortSignal.abort() }))).rejects.toThrow();
    await client.destroy();
  });

  it('leaves no timer behind when the consumer breaks out', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
    const id = await workflow();
    await write(id, [[0, '1', 'portable_json']]);
    // Track the per-value timeout (an unusual 61 s, so no other timer is mistaken for it).
    const live = new Set<unknown>();
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    set.mockImplementation(((fn: () => void, ms?: number) => {
      const t = realSetTimeout(fn, ms);
      if (ms === 61_000) live.add(t);
      return t;
    }) as typeof setTimeout);
    clear.mockImplementation(((t: Parameters<typeof clearTimeout>[0]) => {
      live.delete(t);
      realClearTimeout(t);
    }) as typeof clearTimeout);
    try {
      for await (const value of client.readStream(id, 's', { timeoutMs: 61_000 })) {
        expect(value).toBe(1);
        expect(live.size).toBe(0); // the wait that found the value already let go of its timer
        break;
      }
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
    expect(live.size).toBe(0);
    await client.destroy();
  });
});
