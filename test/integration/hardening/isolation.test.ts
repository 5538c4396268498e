/**
 * One caller never fails another (issue 14, findings 1-3), against a real Postgres:
 * - bad strings (NUL, a lone surrogate, an incompressible over-long ID) are refused before SQL, naming the field,
 *   while the valid enqueues issued at the same moment all succeed, through the client and over HTTP;
 * - a row the database itself refuses (a CHECK constraint the client cannot know about) fails alone, whether it
 *   was coalesced with others by the batcher or sent in `enqueueMany`;
 * - two idempotent sends with different (key, destination) pairs are both stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/index.ts';
import { DBOSClient, DriverError, ValidationError } from '../../../src/index.ts';
import { createDbosDatabase } from '../../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let client: DBOSClient;
const TOKEN = 'isolation-token-0123456789';

beforeAll(async () => {
  db = await createDbosDatabase('edge_isolation');
  client = new DBOSClient({ systemDatabaseUrl: db.url });
  // A rule of this database the client cannot check for: rows named `poison` are refused by Postgres (23514).
  await db.sql.unsafe(`ALTER TABLE dbos.workflow_status ADD CONSTRAINT no_poison CHECK (name <> 'poison')`);
});

afterAll(async () => {
  await client?.destroy();
  await db?.drop();
});

/** 3.2 kB that does not compress: Postgres cannot fit it in a btree index entry. */
function incompressible(bytes: number): string {
  let s = '';
  while (s.length < bytes) s += crypto.randomUUID().replace(/-/g, '');
  return s.slice(0, bytes);
}

type Bad = { options: Record<string, unknown>; field: string; rule: string };
const badEnqueues = (n: number): Bad[] =>
  Array.from({ length: n }, (_, i) => {
    const base = { queueName: 'q', workflowName: 'w' };
    if (i % 3 === 0) return { options: { ...base, workflowName: 'bad\0name' }, field: 'workflowName', rule: 'text' };
    if (i % 3 === 1) {
      return { options: { ...base, workflowID: incompressible(3200) }, field: 'workflowID', rule: 'max_bytes' };
    }
    return { options: { ...base, workflowID: `lone-\ud800-${i}` }, field: 'workflowID', rule: 'text' };
  });

describe('a bad enqueue fails alone', () => {
  it('client: 120 bad enqueues mixed into 1,200 concurrent valid ones; every valid one succeeds', async () => {
    const bad = badEnqueues(120);
    const calls = Array.from({ length: 1320 }, (_, i) => {
      if (i % 11 === 5) {
        const b = bad[Math.floor(i / 11)] as Bad;
        return client.enqueue(b.options as never).then(
          () => ({ kind: 'bad', ok: true }) as const,
          (e: unknown) => ({ kind: 'bad', ok: false, error: e, expected: b }) as const,
        );
      }
      return client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: `mix-client-${i}` }).then(
        (h) => ({ kind: 'good', ok: true, id: h.workflowID }) as const,
        (e: unknown) => ({ kind: 'good', ok: false, error: e }) as const,
      );
    });
    const results = await Promise.all(calls);
    const good = results.filter((r) => r.kind === 'good');
    expect(good).toHaveLength(1200);
    expect(good.filter((r) => !r.ok)).toEqual([]);
    for (const r of results.filter((x) => x.kind === 'bad')) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).toBeInstanceOf(ValidationError);
      expect((r.error as ValidationError).issues).toContainEqual(
        expect.objectContaining({ field: `options.${r.expected.field}`, rule: r.expected.rule }),
      );
    }
    const [{ n }] =
      (await db.sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE workflow_uuid LIKE 'mix-client-%'`) as [
        { n: number },
      ];
    expect(n).toBe(1200);
  });

  it('HTTP: the same mix over the app; valid ones get 201 and a Location, bad ones a 400 naming the field', async () => {
    const app = createApp({ client, tokens: [{ token: TOKEN, scope: 'full' }] });
    const post = (options: Record<string, unknown>) =>
      app.request('/v1/workflows', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ options }),
      });
    const bad = badEnqueues(60);
    const responses = await Promise.all(
      Array.from({ length: 660 }, async (_, i) => {
        const b = i % 11 === 5 ? (bad[Math.floor(i / 11)] as Bad) : undefined;
        const r = await post(b ? b.options : { queueName: 'q', workflowName: 'w', workflowID: `mix-http-${i}` });
        return { b, status: r.status, location: r.headers.get('location'), body: await r.json() };
      }),
    );
    for (const r of responses) {
      if (r.b) {
        expect(r.status).toBe(400);
        expect(r.body.errors).toContainEqual(expect.objectContaining({ field: `body.options.${r.b.field}` }));
      } else {
        expect(r.status).toBe(201);
        expect(r.location).toMatch(/^\/v1\/workflows\/mix-http-\d+$/);
      }
    }
  });

  it('a row the database refuses, coalesced with others, fails alone with its DriverError', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        client.enqueue({ queueName: 'q', workflowName: i % 10 === 3 ? 'poison' : 'w', workflowID: `refused-${i}` }),
      ),
    );
    for (const [i, r] of results.entries()) {
      if (i % 10 === 3) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DriverError);
        expect(((r as PromiseRejectedResult).reason as DriverError).sqlState).toBe('23514');
      } else {
        expect(r).toEqual({ status: 'fulfilled', value: expect.objectContaining({ workflowID: `refused-${i}` }) });
      }
    }
  });

  it('enqueueMany: the refused item gets its own error, every other item is written', async () => {
    const items = Array.from({ length: 9 }, (_, i) => ({
      options: { queueName: 'q', workflowName: i === 4 ? 'poison' : 'w', workflowID: `many-refused-${i}` },
    }));
    const results = await client.enqueueMany(items);
    for (const [i, r] of results.entries()) {
      if (i === 4) expect(r).toEqual({ ok: false, error: expect.any(DriverError) });
      else expect(r).toMatchObject({ ok: true, handle: { workflowID: `many-refused-${i}` } });
    }
    const rows = await db.sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid LIKE 'many-refused-%'`;
    expect(rows).toHaveLength(8);
  });
});

describe('idempotent sends', () => {
  it('(key k, to b::cX) and (key k::b, to cX) are two messages, both stored', async () => {
    for (const id of ['b::cX', 'cX']) {
      await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at)
                   VALUES (${id}, 'PENDING', 'w', 0, 0)`;
    }
    await client.send('b::cX', 'first', 'topic', 'k');
    await client.send('cX', 'second', 'topic', 'k::b');
    // Retries deliver once.
    await client.send('b::cX', 'first', 'topic', 'k');
    await client.send('cX', 'second', 'topic', 'k::b');
    const rows = await db.sql`SELECT destination_uuid, message_uuid FROM dbos.notifications
      WHERE destination_uuid IN ('b::cX', 'cX') ORDER BY destination_uuid`;
    expect(rows.map((r) => r.destination_uuid)).toEqual(['b::cX', 'cX']);
    // A key without a colon keeps the DBOS SDKs' own message ID, so a retry through an SDK dedupes with it.
    expect(rows[0]?.message_uuid).toBe('k::b::cX');
    expect(rows[1]?.message_uuid).not.toBe('k::b::cX');
  });
});
