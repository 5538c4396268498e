/**
 * Network round trips of a Worker's per-request connection, counted by a proxy in front of the real Postgres
 * (test/fixtures/pg-proxy.ts): each statement goes in one flight with its parameters inline, the newest schema's
 * features are assumed (read only when a statement finds an older schema, then known to the process), and Postgres
 * reads every inlined literal back exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../../adapters/postgres.ts';
import type { Driver, SqlParam } from '../../../src/driver.ts';
import { DBOSClient, SchemaError } from '../../../src/index.ts';
import { type PgProxy, pgProxy } from '../../fixtures/pg-proxy.ts';
import { createDbosDatabase, createTestDatabase, type TestDatabase } from '../../helpers/pg.ts';

let db: TestDatabase;
let proxy: PgProxy;
let proxiedUrl: string;

beforeAll(async () => {
  db = await createDbosDatabase('edge_round_trips');
  const url = new URL(db.url);
  proxy = await pgProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  proxiedUrl = url.toString();
});

afterAll(async () => {
  await proxy?.close();
  await db?.drop();
});

const perRequestClient = () =>
  new DBOSClient({ systemDatabaseUrl: proxiedUrl, connection: 'per-request', listen: false });

describe('a per-request client', () => {
  it('answers every call in two round trips (start-up, statement): the newest schema is assumed, not read', async () => {
    for (const _ of [1, 2]) {
      proxy.take();
      const client = perRequestClient();
      await client.listWorkflows({ limit: 1 });
      const counts = proxy.take();
      expect(counts.connections).toBe(1);
      expect(counts.roundTrips).toBe(2);
      // One start-up, then the statement as Parse, Describe, Bind, Execute, Sync; no type lookup, no schema read.
      expect(counts.messages).toEqual({ startup: 1, P: 1, D: 1, B: 1, E: 1, S: 1 });
      await client.destroy();
    }
  });

  it('makes one round trip per operation once connected', async () => {
    const client = perRequestClient();
    await client.listWorkflows({ limit: 1 });
    const queue = { queueName: 'q', workflowName: 'w' };
    const operations: [string, () => Promise<unknown>][] = [
      ['enqueue', () => client.enqueue({ ...queue, workflowID: 'rt-1' }, 'it\'s \\ "quoted" $1')],
      [
        'enqueueMany',
        () =>
          client.enqueueMany([
            { options: queue, args: [1] },
            { options: queue, args: [2] },
          ]),
      ],
      ['getWorkflow', () => client.getWorkflow('rt-1')],
      ['listWorkflows', () => client.listWorkflows({ workflowIDPrefix: 'rt-' })],
      ['cancelWorkflow', () => client.cancelWorkflow('rt-1')],
      ['send', () => client.send('rt-1', { a: [1, null] }, 'topic')],
    ];
    for (const [name, operation] of operations) {
      proxy.take();
      await operation();
      expect({ name, roundTrips: proxy.take().roundTrips }).toEqual({ name, roundTrips: 1 });
    }
    const status = await client.getWorkflow('rt-1');
    expect(status?.input).toEqual(['it\'s \\ "quoted" $1']);
    await client.destroy();
  });
});

describe('a per-request client on an older schema', () => {
  /** A database whose schema is made older: payload tables and `creator_xid` dropped, migration 108 recorded. */
  async function legacyDatabase() {
    const legacy = await createDbosDatabase('edge_round_trips_legacy');
    await legacy.sql`DROP TABLE dbos.workflow_input, dbos.workflow_output`;
    await legacy.sql`ALTER TABLE dbos.workflow_status DROP COLUMN creator_xid`;
    await legacy.sql`UPDATE dbos.dbos_migrations SET version = 108`;
    const url = new URL(legacy.url);
    const legacyProxy = await pgProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(legacyProxy.port);
    return { legacy, legacyProxy, url: url.toString() };
  }

  it('reads the real features when a statement finds the schema older, and sends it again', async () => {
    const { legacy, legacyProxy, url } = await legacyDatabase();
    try {
      const client = new DBOSClient({ systemDatabaseUrl: url, connection: 'per-request', listen: false });
      const handle = await client.enqueue({ queueName: 'q', workflowName: 'w' }, 'x');
      // Start-up, the statement for the newest schema (refused whole), the schema read, the statement again.
      expect(legacyProxy.take().roundTrips).toBe(4);
      const [row] =
        await legacy.sql`SELECT inputs FROM dbos.workflow_status WHERE workflow_uuid = ${handle.workflowID}`;
      expect(row?.inputs).toBe('{"positionalArgs":["x"]}');
      expect((await client.getWorkflow(handle.workflowID))?.input).toEqual(['x']);
      expect(legacyProxy.take().roundTrips).toBe(1);
      await client.destroy();
      // The features read are known to the next client of the process: no refused statement, no schema read.
      const next = new DBOSClient({ systemDatabaseUrl: url, connection: 'per-request', listen: false });
      expect((await next.getWorkflow(handle.workflowID))?.input).toEqual(['x']);
      expect(legacyProxy.take().roundTrips).toBe(2);
      await next.destroy();
    } finally {
      await legacyProxy.close();
      await legacy.drop();
    }
  });

  it('fails with SchemaError on a database without the DBOS schema', async () => {
    const empty = await createTestDatabase('edge_round_trips_empty');
    try {
      const client = new DBOSClient({ systemDatabaseUrl: empty.url, connection: 'per-request', listen: false });
      await expect(client.enqueue({ queueName: 'q', workflowName: 'w' })).rejects.toBeInstanceOf(SchemaError);
      await expect(client.listWorkflows()).rejects.toBeInstanceOf(SchemaError);
      await client.destroy();
    } finally {
      await empty.drop();
    }
  });
});

describe('inlined parameters', () => {
  let inline: Driver;
  let prepared: Driver;
  beforeAll(() => {
    inline = postgresDriver(db.url, { max: 1, inlineParams: true });
    prepared = postgresDriver(db.url, { max: 1 });
  });
  afterAll(async () => {
    await inline.close();
    await prepared.close();
  });

  const text = `SELECT $1::text AS t, $2::bigint AS n, $3::float8 AS f, $4::boolean AS b, $5::text AS z,
    $6::text::jsonb AS j, $7 AS bare, ($8::text IS NULL) AS is_null`;
  const cases: [string, SqlParam[]][] = [
    ['plain', ['abc', 1700000000000, 1.5, true, null, '{"a":1}', 'x', null]],
    ['quotes and backslashes', ["x'); DROP TABLE t; --\\", -1, 0, false, "\\'", '{"s":"a\\"b\\\\c\\n"}', "''", 'v']],
    ['unicode and placeholders', ["ü ✓ 😀 $1 $$ E'", 0, -2.5e-7, true, '', '[1,"$2",null]', '$8', '']],
    ['large numbers', ['', 9007199254740991, 1e21, false, 'NULL', 'null', 'null', 'NULL']],
  ];
  it.each(cases)('reads back %s exactly as sent with parameters', async (_name, params) => {
    const [sent] = await inline.query(text, params);
    const [reference] = await prepared.query(text, params);
    expect(sent).toEqual(reference);
    expect(sent?.t).toBe(params[0]);
    expect(sent?.b).toBe(params[3]);
  });
});
