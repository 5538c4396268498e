/**
 * Outages are ridden out (issue 14, findings 6-7), against a real Postgres:
 * - waits (getResult, waitFirst, getEvent, readStream) survive a database that is unreachable for many polls in a
 *   row (a TCP proxy refusing every connection) and finish once it is back, within their own timeout;
 * - enqueues and idempotent sends run while backends are terminated with pg_terminate_backend: over HTTP no
 *   request gets a 500 (an outage is a 503 with Retry-After), through the client every failure is a retryable
 *   DriverError; every acknowledged write is in the database, and after retrying the refused ones nothing is lost
 *   and nothing is duplicated.
 * - the same through a TCP proxy that cuts every connection (mid-statement) and stalls them, over and over;
 * - a statement handed to a connection that the peer closes while it opens, over and over, settles (postgres.js
 *   alone would hold it until the peer let a connection open) with a retryable DriverError, and is never run; the
 *   connection then serves the pool again, even one whose lifetime ended while it was busy (before, it was lost for
 *   good, and with it every later statement of a one-connection pool);
 * - a statement sent the moment a reset fails the one before it on the same connection settles, as does the statement
 *   after it (before, both waited forever: the hang this file once hit under load).
 * No duration is asserted: the proxy counts refused connection attempts, and loops are bounded by count.
 */
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../../adapters/postgres.ts';
import { createApp } from '../../../src/http/index.ts';
import { DBOSClient, DriverError } from '../../../src/index.ts';
import { startTcpProxy, type TcpProxy } from '../../fixtures/tcp-proxy.ts';
import { createDbosDatabase, databaseUrl } from '../../helpers/pg.ts';
import { watchStalls } from '../../helpers/stalls.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let proxy: TcpProxy;
let admin: postgres.Sql;

beforeAll(async () => {
  db = await createDbosDatabase('edge_outage');
  proxy = await startTcpProxy();
  admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await proxy?.close();
  await admin?.end();
  await db?.drop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * A connection cut while it is being opened can stall one operation up to the driver's connect timeout (10 s);
 * a few in a row must not fail the test, which asserts outcomes, never durations.
 */
const FAULT_TEST_TIMEOUT_MS = 240_000;

async function insertWorkflow(id: string) {
  await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, created_at, updated_at)
               VALUES (${id}, 'PENDING', 'w', 'portable_json', 0, 0)`;
}

/** A client reaching the database through the proxy, polling fast so that waits see an outage end soon. */
const proxiedClient = () =>
  new DBOSClient({
    systemDatabaseUrl: proxy.url(db.name),
    polling: { minIntervalMs: 2, maxIntervalMs: 20, listeningIntervalMs: 20 },
  });

/** Keeps the proxy down until the client has been refused `attempts` connections (bounded), then brings it up. */
async function outage(attempts: number, whileDown: () => Promise<void>) {
  proxy.down();
  for (let i = 0; i < 6000 && proxy.refused < attempts; i++) await pause(5);
  expect(proxy.refused).toBeGreaterThanOrEqual(attempts);
  await whileDown();
  proxy.up();
}

describe('waits ride out an outage', () => {
  it(
    'getResult, waitFirst, getEvent and readStream finish after many failed polls in a row',
    async () => {
      const client = proxiedClient();
      const id = `outage-${crypto.randomUUID()}`;
      await insertWorkflow(id);
      await client.getWorkflow(id); // connected before the outage
      const waits = Promise.all([
        client.retrieveWorkflow(id).getResult({ timeoutMs: 120_000 }),
        client.waitFirst([id], { timeoutMs: 120_000 }),
        client.getEvent(id, 'ev', { timeoutMs: 120_000 }),
        (async () => {
          const values: unknown[] = [];
          for await (const v of client.readStream(id, 's', { timeoutMs: 120_000 })) values.push(v);
          return values;
        })(),
      ]);
      const before = proxy.refused;
      // Far more consecutive failed polls than the old limit of 5.
      await outage(before + 30, async () => {
        await db.sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
                   VALUES (${id}, 'ev', '"event"', 'portable_json')`;
        await db.sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization)
                   VALUES (${id}, 's', '"v0"', 0, 'portable_json')`;
        await db.sql`UPDATE dbos.workflow_status SET status = 'SUCCESS', output = '"done"' WHERE workflow_uuid = ${id}`;
      });
      const [result, first, event, stream] = await waits;
      expect(result).toBe('done');
      expect(first.workflowID).toBe(id);
      expect(event).toBe('event');
      expect(stream).toEqual(['v0']);
      await client.destroy();
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});

/** Terminates every dbos-edge backend of the test database (the test's own connections are spared), `rounds` times, until `done()`. */
async function terminateRepeatedly(done: () => boolean, rounds = 60): Promise<number> {
  let terminated = 0;
  for (let i = 0; i < rounds && !done(); i++) {
    const rows = await admin`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE datname = ${db.name} AND application_name = 'dbos-edge'`;
    terminated += rows.filter((r) => r.ok).length;
    await pause(15);
  }
  return terminated;
}

/** Runs `task` over `n` items, `concurrency` at a time. */
async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

describe('writes while backends are terminated', () => {
  it(
    'HTTP: enqueues and sends get 2xx or 503 with Retry-After, never a 500; nothing acknowledged is lost',
    async () => {
      const client = new DBOSClient({ systemDatabaseUrl: db.url });
      const token = 'outage-token-0123456789ab';
      const internal: unknown[] = [];
      const app = createApp({
        client,
        tokens: [{ token, scope: 'full' }],
        logger: (entry) => {
          if (entry.level === 'error') internal.push(entry);
        },
      });
      const destination = `dest-${crypto.randomUUID()}`;
      await insertWorkflow(destination);
      const call = (i: number) =>
        i % 2 === 0
          ? app.request('/v1/workflows', {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ options: { queueName: 'q', workflowName: 'w', workflowID: `http-out-${i}` } }),
            })
          : app.request(`/v1/workflows/${destination}/messages`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ message: i, idempotencyKey: `http-out-${i}` }),
            });
      const total = 600;
      let finished = false;
      const terminator = terminateRepeatedly(() => finished);
      const statuses = await pool(total, 12, async (i) => {
        const r = await call(i);
        await r.arrayBuffer();
        if (r.status === 503) expect(r.headers.get('retry-after')).toBe('1');
        return r.status;
      });
      finished = true;
      const terminated = await terminator;
      expect(terminated).toBeGreaterThan(0);
      // The errors logged for a 500 are part of the failure message.
      const internalErrors = internal.filter((e) => (e as { status?: number }).status !== 503);
      expect({ failed: statuses.filter((s) => s >= 500 && s !== 503), internalErrors }).toEqual({
        failed: [],
        internalErrors: [],
      });
      const acknowledged = statuses.flatMap((s, i) => (s < 300 ? [i] : []));
      const stored = await storedIndexes('http-out-', destination);
      expect(acknowledged.filter((i) => !stored.has(i))).toEqual([]);
      // Retried, the refused ones go through; every operation is then stored exactly once.
      for (const [i, s] of statuses.entries()) if (s === 503) expect((await call(i)).status).toBeLessThan(300);
      const after = await storedIndexes('http-out-', destination);
      expect(after.size).toBe(total);
      const duplicates = await db.sql`SELECT message FROM dbos.notifications WHERE destination_uuid = ${destination}
      GROUP BY message HAVING count(*) > 1`;
      expect(duplicates).toEqual([]);
      console.info(
        `HTTP under pg_terminate_backend: tried ${total}, acknowledged ${acknowledged.length}, 503 ${total - acknowledged.length}, ` +
          `found ${stored.size}, lost 0, duplicated 0, backends terminated ${terminated}`,
      );
      await client.destroy();
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'client: every failure is a retryable DriverError, and retried operations land exactly once',
    async () => {
      const client = new DBOSClient({ systemDatabaseUrl: db.url });
      const destination = `dest-${crypto.randomUUID()}`;
      await insertWorkflow(destination);
      // Should the test stall, this says which operations are pending, in which phase, and what the backends do.
      const stalls = watchStalls(db.name);
      const op = (i: number, phase: string) =>
        stalls.track<unknown>(
          `${i} ${i % 2 === 0 ? 'enqueue' : 'send'} ${phase}`,
          i % 2 === 0
            ? client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: `client-out-${destination}-${i}` })
            : client.send(destination, i, undefined, `client-out-${i}`),
        );
      const total = 600;
      let finished = false;
      const terminator = stalls.track(
        'terminator',
        terminateRepeatedly(() => finished),
      );
      // The phases are tracked too: one slow from failing operations (each bounded) is reported with its progress.
      const outcomes = await stalls.track(
        'first tries',
        pool(total, 12, (i) =>
          op(i, 'first try').then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      finished = true;
      await terminator;
      const failures = outcomes.filter((e) => e !== undefined);
      for (const e of failures) {
        expect(e).toBeInstanceOf(DriverError);
        expect((e as DriverError).retryable).toBe(true);
      }
      await stalls.track(
        'retries',
        (async () => {
          for (const [i, e] of outcomes.entries()) if (e !== undefined) await op(i, 'retry');
        })(),
      );
      const [{ n: enqueued }] = (await db.sql`SELECT count(*)::int AS n FROM dbos.workflow_status
      WHERE workflow_uuid LIKE ${`client-out-${destination}-%`}`) as [{ n: number }];
      const [{ n: sent, distinct }] = (await db.sql`SELECT count(*)::int AS n, count(DISTINCT message)::int AS distinct
      FROM dbos.notifications WHERE destination_uuid = ${destination}`) as [{ n: number; distinct: number }];
      expect(enqueued).toBe(total / 2);
      expect(sent).toBe(total / 2);
      expect(distinct).toBe(total / 2);
      console.info(
        `client under pg_terminate_backend: tried ${total}, failed retryably ${failures.length}, lost 0, duplicated 0`,
      );
      await stalls.track('destroy', client.destroy());
      stalls.stop();
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});

/** How many backends of the test database run `query`, once one does (polled, bounded by count). */
async function running(query: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < 2000 && n === 0; i++) {
    await pause(5);
    [{ n }] = (await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = ${db.name} AND state = 'active' AND query = ${query}`) as [{ n: number }];
  }
  return n;
}

/** The operation indexes found in the database: workflows `<prefix><i>` and messages `<i>` to `destination`. */
async function storedIndexes(prefix: string, destination: string): Promise<Set<number>> {
  const workflows =
    await db.sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid LIKE ${`${prefix}%`}`;
  const messages = await db.sql`SELECT message FROM dbos.notifications WHERE destination_uuid = ${destination}`;
  return new Set([
    ...workflows.map((r) => Number(String(r.workflow_uuid).slice(prefix.length))),
    ...messages.map((r) => Number(JSON.parse(String(r.message)))),
  ]);
}

describe('writes and waits through a proxy that cuts and stalls connections', () => {
  it(
    'nothing acknowledged is lost, nothing is duplicated, no wait fails within its timeout',
    async () => {
      const client = proxiedClient();
      const destination = `proxy-dest-${crypto.randomUUID()}`;
      await insertWorkflow(destination);
      const awaited = `proxy-wait-${crypto.randomUUID()}`;
      await insertWorkflow(awaited);
      const wait = client.retrieveWorkflow(awaited).getResult({ timeoutMs: 120_000 });
      const op = (i: number) =>
        i % 2 === 0
          ? client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: `proxy-${destination}-${i}` })
          : client.send(destination, i, undefined, `proxy-${i}`);
      const total = 400;
      let done = 0;
      let cuts = 0;
      let stalls = 0;
      // Faults are driven by progress (every 20 finished operations), never by the clock.
      const faults = (async () => {
        for (let round = 0; round < 40 && done < total; round++) {
          const target = done + 20;
          for (let i = 0; i < 2000 && done < Math.min(target, total); i++) await pause(2);
          if (round % 2 === 0) {
            proxy.down();
            cuts += 1;
            const refused = proxy.refused;
            for (let i = 0; i < 2000 && proxy.refused < refused + 3; i++) await pause(2);
          } else {
            proxy.stall();
            stalls += 1;
            await pause(20);
          }
          proxy.up();
        }
      })();
      const outcomes = await pool(total, 8, (i) =>
        op(i).then(
          () => {
            done += 1;
            return undefined;
          },
          (e: unknown) => {
            done += 1;
            return e;
          },
        ),
      );
      await faults;
      proxy.up();
      const failures = outcomes.filter((e) => e !== undefined);
      for (const e of failures) {
        expect(e).toBeInstanceOf(DriverError);
        expect((e as DriverError).retryable).toBe(true);
      }
      const acknowledged = outcomes.flatMap((e, i) => (e === undefined ? [i] : []));
      const found = await storedIndexes(`proxy-${destination}-`, destination);
      expect(acknowledged.filter((i) => !found.has(i))).toEqual([]);
      for (const [i, e] of outcomes.entries()) if (e !== undefined) await op(i);
      const after = await storedIndexes(`proxy-${destination}-`, destination);
      expect(after.size).toBe(total);
      const [{ n: messages }] = (await db.sql`SELECT count(*)::int AS n FROM dbos.notifications
      WHERE destination_uuid = ${destination}`) as [{ n: number }];
      expect(messages).toBe(total / 2);
      await db.sql`UPDATE dbos.workflow_status SET status = 'SUCCESS', output = '"ok"' WHERE workflow_uuid = ${awaited}`;
      expect(await wait).toBe('ok');
      console.info(
        `proxy cuts ${cuts} and stalls ${stalls}: tried ${total}, acknowledged ${acknowledged.length}, found ${found.size}, ` +
          `failed retryably ${failures.length}, lost 0, duplicated 0, waits failed 0`,
      );
      await client.destroy();
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});

/**
 * Runs `call` with the proxy down: the connection it needs is accepted and closed at once (no socket error, no
 * Postgres message), again and again. It must fail with a retryable DriverError after at least one such connection.
 * The proxy stays down.
 */
async function failsStranded(call: () => Promise<unknown>): Promise<void> {
  proxy.down();
  const refused = proxy.refused;
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(proxy.refused).toBeGreaterThan(refused);
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(true);
}

describe('a statement stranded while its connection opens', () => {
  it('fails retryably once the connect timeout has passed, is never sent, and leaves the connection to the pool', async () => {
    const driver = postgresDriver(proxy.url(db.name), { max: 1, connectTimeout: 1 });
    const id = `stranded-${crypto.randomUUID()}`;
    try {
      // postgres.js alone would hold the insert until the proxy is up.
      await failsStranded(() => driver.query('INSERT INTO dbos.workflow_status (workflow_uuid) VALUES ($1)', [id]));
      const [{ up }] = (await db.sql`SELECT clock_timestamp() AS up`) as [{ up: Date }];
      proxy.up();
      // Once that connection has opened (its backend idle), and the pool is closed, the insert was never sent.
      let opened = 0;
      for (let i = 0; i < 2000 && opened === 0; i++) {
        await pause(5);
        [{ opened }] = (await db.sql`SELECT count(*)::int AS opened FROM pg_stat_activity WHERE datname = ${db.name}
          AND application_name = 'dbos-edge' AND state = 'idle' AND backend_start > ${up}`) as [{ opened: number }];
      }
      expect(opened).toBeGreaterThan(0);
      // The pool's one connection serves the next statement (postgres.js alone would keep it out of the pool).
      expect(await driver.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await driver.close();
      expect(await db.sql`SELECT 1 FROM dbos.workflow_status WHERE workflow_uuid = ${id}`).toEqual([]);
    } finally {
      proxy.up();
      await driver.close();
    }
  });
});

describe('a transaction stranded while its connection opens', () => {
  it('fails retryably once the connect timeout has passed, runs nothing, and leaves the connection to the pool', async () => {
    const driver = postgresDriver(proxy.url(db.name), { max: 1, connectTimeout: 1 });
    const id = `stranded-tx-${crypto.randomUUID()}`;
    try {
      // postgres.js sends a transaction's BEGIN itself, so the transaction cannot start.
      await failsStranded(() =>
        driver.batch([{ text: 'INSERT INTO dbos.workflow_status (workflow_uuid) VALUES ($1)', params: [id] }]),
      );
      proxy.up();
      // Once its connection opens, the abandoned transaction rolls back before its statements and hands the
      // connection back: the pool's one connection serves the next transaction.
      expect(await driver.batch([{ text: 'SELECT 1 AS one', params: [] }])).toEqual([[{ one: 1 }]]);
      expect(await db.sql`SELECT 1 FROM dbos.workflow_status WHERE workflow_uuid = ${id}`).toEqual([]);
    } finally {
      proxy.up();
      await driver.close();
    }
  });
});

describe('a connection cut after its lifetime ended while it was busy, then stranded', () => {
  it('serves statements again once the database is back', async () => {
    // A pool of the caller's (the driver's options have no lifetime) whose one connection lives a second.
    const sql = postgres(proxy.url(db.name), {
      max: 1,
      max_lifetime: 1,
      connect_timeout: 1,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: 'dbos-edge' },
    });
    const driver = postgresDriver(sql);
    try {
      const sleeper = driver.query('SELECT pg_sleep(60)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(await running('SELECT pg_sleep(60)')).toBe(1);
      // The connection's lifetime timer, started before the sleep was sent, fires before this longer pause ends:
      // postgres.js marks the busy connection as ending. Then the proxy cuts it, and strands the next statement.
      await pause(2000);
      proxy.down();
      expect(await sleeper).toBeInstanceOf(DriverError);
      expect(await driver.query('SELECT 1').then(undefined, (e: unknown) => e)).toBeInstanceOf(DriverError);
      proxy.up();
      // Once it opens, the connection ends (it was ending) and the pool opens a new one; postgres.js alone would keep
      // it idle and out of the pool for good, failing every statement after the connect timeout.
      let served = false;
      for (let i = 0; i < 3 && !served; i++) {
        served = await driver.query('SELECT 1').then(
          () => true,
          () => false,
        );
      }
      expect(served).toBe(true);
    } finally {
      proxy.up();
      await sql.end({ timeout: 1 });
    }
  });
});

describe('a statement sent the moment a reset fails the one before it', () => {
  it('settles, as does the statement after it, though the connection opens again for that one', async () => {
    // The test owns the sockets (postgres.js's `socket` option) to fail one as a reset does: Node emits the socket's
    // 'error' at once and its 'close' later in that turn of the event loop. postgres.js fails the statement in flight
    // on the error but keeps the connection in the pool until the close; a statement handed to it in between was
    // never sent nor failed, and, the connection reopened for the next statement, held that one up too, for good.
    const { hostname, port } = new URL(db.url);
    const sockets: Socket[] = [];
    const sql = postgres(db.url, {
      max: 1,
      fetch_types: false,
      onnotice: () => {},
      socket: () => {
        const socket = connect(Number(port || 5432), hostname);
        sockets.push(socket);
        return socket;
      },
    } as postgres.Options<Record<string, postgres.PostgresType>>);
    const driver = postgresDriver(sql);
    try {
      await driver.query('SELECT 1');
      // The caller retries the moment its statement fails, as the operations above do.
      let retried: Promise<unknown> | undefined;
      const sleeping = driver.query('SELECT pg_sleep(30)').catch((e: unknown) => {
        retried = driver.query('SELECT 1 AS one').catch((error: unknown) => error);
        return e;
      });
      expect(await running('SELECT pg_sleep(30)')).toBe(1);
      // From a timer, as a socket's read error arrives: from the event loop, not within a promise's callbacks.
      setTimeout(() => sockets.at(-1)?.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
      expect(await sleeping).toBeInstanceOf(DriverError);
      expect(await driver.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      const outcome = await retried;
      if (outcome instanceof Error) expect((outcome as DriverError).retryable).toBe(true);
      else expect(outcome).toEqual([{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

describe('lost races', () => {
  it('a statement failing with 40001 is sent again; once retries are exhausted it is a retryable 503', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    const token = 'race-token-0123456789abcd';
    const app = createApp({ client, tokens: [{ token, scope: 'full' }], logger: false });
    // A real Postgres trigger that fails the first insert of each `flaky-` workflow with a serialization failure,
    // and every insert of a `doomed-` one; a sequence counts the attempts (nextval survives the rollback).
    await db.sql.unsafe(`
      CREATE SEQUENCE race_attempts;
      CREATE FUNCTION race() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.workflow_uuid LIKE 'flaky-%' AND nextval('race_attempts') = 1 THEN
          RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';
        END IF;
        IF NEW.workflow_uuid LIKE 'doomed-%' THEN
          PERFORM nextval('race_attempts');
          RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER race BEFORE INSERT ON dbos.workflow_status FOR EACH ROW EXECUTE FUNCTION race();`);
    try {
      const h = await client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: 'flaky-1' });
      expect(h.workflowID).toBe('flaky-1');
      const [{ n }] = (await db.sql`SELECT last_value::int AS n FROM race_attempts`) as [{ n: number }];
      expect(n).toBe(2);
      const r = await app.request('/v1/workflows', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ options: { queueName: 'q', workflowName: 'w', workflowID: 'doomed-1' } }),
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      const [{ n: after }] = (await db.sql`SELECT last_value::int AS n FROM race_attempts`) as [{ n: number }];
      expect(after).toBe(2 + 3);
    } finally {
      await db.sql.unsafe(
        'DROP TRIGGER race ON dbos.workflow_status; DROP FUNCTION race(); DROP SEQUENCE race_attempts',
      );
      await client.destroy();
    }
  });
});
