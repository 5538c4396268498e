/**
 * Network round trips of a Worker's per-request connection, counted by a proxy in front of the real Postgres
 * (test/fixtures/pg-proxy.ts): each statement goes in one flight with its parameters inline, the schema's features
 * are read once per database and process (isolate), and Postgres reads every inlined literal back exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../../adapters/postgres.ts';
import type { Driver, SqlParam } from '../../../src/driver.ts';
import { DBOSClient } from '../../../src/index.ts';
import { type PgProxy, pgProxy } from '../../fixtures/pg-proxy.ts';
import { createDbosDatabase, type TestDatabase } from '../../helpers/pg.ts';

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
  it('answers its first call in three round trips (start-up, schema read, statement), later clients in two', async () => {
    proxy.take();
    const first = perRequestClient();
    await first.listWorkflows({ limit: 1 });
    const cold = proxy.take();
    expect(cold.connections).toBe(1);
    expect(cold.roundTrips).toBe(3);
    // One start-up, then two statements each as Parse, Describe, Bind, Execute, Sync; no type lookup.
    expect(cold.messages).toEqual({ startup: 1, P: 2, D: 2, B: 2, E: 2, S: 2 });

    const second = perRequestClient();
    await second.listWorkflows({ limit: 1 });
    const warm = proxy.take();
    expect(warm.connections).toBe(1);
    expect(warm.roundTrips).toBe(2);
    expect(warm.messages).toEqual({ startup: 1, P: 1, D: 1, B: 1, E: 1, S: 1 });
    await Promise.all([first.destroy(), second.destroy()]);
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
