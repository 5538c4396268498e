/**
 * A real restart (issue 14, fault suite c): a Postgres of the test's own (initdb in a temporary folder, its own
 * port) is restarted with `pg_ctl restart -m fast` while enqueues, sends and waits run through the client and over
 * HTTP. The shared server is never touched. Figures are printed; the assertions are the guarantees: nothing
 * acknowledged is lost, nothing is duplicated, no wait fails within its timeout, and every refusal was a retryable
 * error (a 503 with Retry-After over HTTP).
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/connect.ts';
import { createApp } from '../../../src/http/index.ts';
import { DBOSClient, DriverError, ensureSchema } from '../../../src/index.ts';
import { type OwnPostgres, startOwnPostgres } from '../../fixtures/own-postgres.ts';

let server: OwnPostgres;
let sql: postgres.Sql;

beforeAll(async () => {
  server = await startOwnPostgres();
  const admin = postgres(server.url('postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe('CREATE DATABASE restart_test');
  await admin.end();
  const driver = await openDatabase(server.url('restart_test'));
  await ensureSchema(driver);
  await driver.close();
  sql = postgres(server.url('restart_test'), { max: 2, onnotice: () => {}, fetch_types: false });
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 }).catch(() => {});
  await server?.stop();
});

describe('a real Postgres restart', () => {
  it('is ridden out by waits; writes are refused retryably and none acknowledged is lost', async () => {
    const client = new DBOSClient({
      systemDatabaseUrl: server.url('restart_test'),
      polling: { minIntervalMs: 5, maxIntervalMs: 100, listeningIntervalMs: 100 },
    });
    const token = 'restart-token-0123456789ab';
    const app = createApp({ client, tokens: [{ token, scope: 'full' }], logger: false });
    const dest = `restart-dest-${crypto.randomUUID()}`;
    const awaited = `restart-wait-${crypto.randomUUID()}`;
    for (const id of [dest, awaited]) {
      await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, created_at, updated_at)
                VALUES (${id}, 'PENDING', 'w', 'portable_json', 0, 0)`;
    }
    const waits = Promise.all([
      client.retrieveWorkflow(awaited).getResult({ timeoutMs: 120_000 }),
      client.getEvent(awaited, 'ev', { timeoutMs: 120_000 }),
    ]);
    /** One operation: even = enqueue through the client, odd = send over HTTP. Resolves with its error, if any. */
    const op = async (i: number): Promise<unknown> => {
      if (i % 2 === 0) {
        return client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: `restart-${i}` }).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      const r = await app.request(`/v1/workflows/${dest}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: i, idempotencyKey: `restart-${i}` }),
      });
      await r.arrayBuffer();
      if (r.status < 300) return undefined;
      return { status: r.status, retryAfter: r.headers.get('retry-after') };
    };
    const total = 300;
    let restartedAt = 0;
    let recoveredAt = 0;
    const outcomes: unknown[] = [];
    let next = 0;
    const workers = Array.from({ length: 6 }, async () => {
      while (next < total) {
        const i = next++;
        if (i === 60) {
          await server.restart();
          restartedAt = Date.now();
        }
        const outcome = await op(i);
        if (outcome === undefined && restartedAt > 0 && recoveredAt === 0) recoveredAt = Date.now();
        outcomes[i] = outcome;
      }
    });
    await Promise.all(workers);
    const failures = outcomes.filter((o) => o !== undefined);
    for (const f of failures) {
      if (f instanceof DriverError) expect(f.retryable).toBe(true);
      else expect(f).toEqual({ status: 503, retryAfter: '1' });
    }
    const acknowledged = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
    const stored = async () => {
      const w = await sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid LIKE 'restart-%'
        AND workflow_uuid NOT IN (${dest}, ${awaited})`;
      const m = await sql`SELECT message FROM dbos.notifications WHERE destination_uuid = ${dest}`;
      return new Set([
        ...w.map((r) => Number(String(r.workflow_uuid).slice('restart-'.length))),
        ...m.map((r) => Number(JSON.parse(String(r.message)))),
      ]);
    };
    const found = await stored();
    expect(acknowledged.filter((i) => !found.has(i))).toEqual([]);
    for (const [i, o] of outcomes.entries()) if (o !== undefined) expect(await op(i)).toBeUndefined();
    expect((await stored()).size).toBe(total);
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM dbos.notifications WHERE destination_uuid = ${dest}`) as [
      { n: number },
    ];
    expect(n).toBe(total / 2);
    await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
              VALUES (${awaited}, 'ev', '"event"', 'portable_json')`;
    await sql`UPDATE dbos.workflow_status SET status = 'SUCCESS', output = '"done"' WHERE workflow_uuid = ${awaited}`;
    expect(await waits).toEqual(['done', 'event']);
    console.info(
      `restart: tried ${total}, acknowledged ${acknowledged.length}, found ${found.size}, refused retryably ` +
        `${failures.length}, lost 0, duplicated 0, waits failed 0, first success ${recoveredAt - restartedAt} ms after the server was back`,
    );
    await client.destroy();
  });
});
