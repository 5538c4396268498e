/**
 * ensureSchema builds the same DBOS system schema as the real SDK. One database gets its schema from the
 * SDK's own CLI (`dbos schema`, @dbos-inc/dbos-sdk 5.3.0), another from ensureSchema; their catalogs are
 * compared object by object (not function bodies), and the SQL functions are run on both with the same
 * assertions, so their behaviour is proven identical too.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres.ts';
import type { Driver } from '../../src/driver.ts';
import { DriverError, ValidationError } from '../../src/errors.ts';
import {
  ENSURE_SCHEMA_LOCK_KEY,
  type EnsureSchemaResult,
  ensureSchema,
  SCHEMA_VERSION,
  schemaDDL,
} from '../../src/schema/ensure.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

const DBOS_CLI = fileURLToPath(new URL('../../node_modules/.bin/dbos', import.meta.url));

async function sdkSchema(url: string, schema?: string): Promise<void> {
  const args = schema ? ['schema', '-s', schema, url] : ['schema', url];
  await promisify(execFile)(DBOS_CLI, args, { timeout: 60_000 });
}

/**
 * The schema's catalog as sorted lines, one per object, with the schema name replaced by `<schema>` so two
 * schemas of different names compare. Column order is ignored (the SDK's history appends columns).
 */
type CatalogKind =
  | 'relations'
  | 'columns'
  | 'indexes'
  | 'constraints'
  | 'functions'
  | 'triggers'
  | 'types'
  | 'extensions'
  | 'migrations';
type Catalog = Record<CatalogKind, string[]>;

async function catalog(driver: Driver, schema: string): Promise<Catalog> {
  const q = async (sql: string) => {
    const rows = await driver.query<{ line: string }>(sql, [schema]);
    return rows.map((r) => r.line.split(`"${schema}".`).join('<schema>.').split(`${schema}.`).join('<schema>.')).sort();
  };
  return {
    relations: await q(`
      SELECT format('%s kind=%s persistence=%s', c.relname, c.relkind, c.relpersistence) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind <> 'i'`),
    columns: await q(`
      SELECT format('%s.%s %s%s%s%s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
          CASE WHEN a.attnotnull THEN ' NOT NULL' END,
          ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid),
          ' IDENTITY ' || NULLIF(a.attidentity::text, ''),
          ' GENERATED ' || NULLIF(a.attgenerated::text, ''),
          ' COLLATE ' || NULLIF(a.attcollation, 0)::regcollation::text) AS line
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`),
    indexes: await q(`
      SELECT format('%s: %s%s', ic.relname, pg_get_indexdef(i.indexrelid),
          CASE WHEN NOT i.indisvalid THEN ' INVALID' END) AS line
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE n.nspname = $1`),
    constraints: await q(`
      SELECT format('%s.%s %s: %s', c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)) AS line
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE n.nspname = $1`),
    functions: await q(`
      SELECT format('%s(%s) RETURNS %s LANGUAGE %s kind=%s volatile=%s strict=%s secdef=%s parallel=%s config=%s',
          p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname, p.prokind,
          p.provolatile, p.proisstrict, p.prosecdef, p.proparallel, array_to_string(p.proconfig, ';')) AS line
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_language l ON l.oid = p.prolang
      WHERE n.nspname = $1`),
    triggers: await q(`
      SELECT format('%s.%s enabled=%s: %s', c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)) AS line
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT t.tgisinternal`),
    types: await q(`
      SELECT format('%s %s', t.typname, t.typtype) AS line
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1`),
    // Neither side may need an extension (in particular not uuid-ossp): both use the core gen_random_uuid().
    extensions: (await driver.query<{ line: string }>('SELECT extname AS line FROM pg_extension'))
      .map((r) => r.line)
      .sort(),
    migrations: (
      await driver.query<{ line: string }>(`SELECT version::text AS line FROM "${schema}".dbos_migrations`)
    ).map((r) => r.line),
  };
}

let sdkDb: TestDatabase;
let edgeDb: TestDatabase;
let sdk: Driver;
let edge: Driver;

beforeAll(async () => {
  [sdkDb, edgeDb] = await Promise.all([createTestDatabase('edge_conf_sdk'), createTestDatabase('edge_conf_edge')]);
  sdk = postgresDriver(sdkDb.url);
  edge = postgresDriver(edgeDb.url);
  const [, created] = await Promise.all([sdkSchema(sdkDb.url), ensureSchema(edge)]);
  expect(created).toEqual({ created: true, version: SCHEMA_VERSION });
});

afterAll(async () => {
  await sdk?.close();
  await edge?.close();
  await sdkDb?.drop();
  await edgeDb?.drop();
});

describe('the catalog ensureSchema creates', () => {
  it('equals the one `dbos schema` creates: tables, columns, indexes, constraints, functions, triggers, version', async () => {
    const expected = await catalog(sdk, 'dbos');
    const actual = await catalog(edge, 'dbos');
    // One assertion per kind, so a failure prints a short, readable diff.
    for (const kind of Object.keys(expected) as CatalogKind[]) {
      expect.soft({ [kind]: actual[kind] }).toEqual({ [kind]: expected[kind] });
    }
    expect(expected.migrations).toEqual([String(SCHEMA_VERSION)]);
    expect(expected.extensions).toEqual(['plpgsql']);
    // Guards against a vacuous comparison (a catalog query that matched nothing on either side).
    expect(Object.fromEntries(Object.entries(expected).map(([kind, lines]) => [kind, lines.length]))).toEqual({
      relations: 13,
      columns: 120,
      indexes: 38,
      constraints: 20,
      functions: 3,
      triggers: 1,
      types: 26,
      extensions: 1,
      migrations: 1,
    });
  });

  it('is taken as up to date by the SDK: `dbos schema` on it migrates nothing', async () => {
    const before = await catalog(edge, 'dbos');
    await sdkSchema(edgeDb.url);
    expect(await catalog(edge, 'dbos')).toEqual(before);
  });

  it('is written as single statements, each conditional where Postgres allows', () => {
    for (const stmt of schemaDDL('dbos')) {
      expect(stmt).toMatch(/^(CREATE (SCHEMA|TABLE|INDEX|UNIQUE INDEX) IF NOT EXISTS|CREATE OR REPLACE|INSERT INTO)/);
      expect(stmt.trimEnd()).not.toMatch(/;$/);
    }
  });
});

describe('ensureSchema is idempotent and safe to race', () => {
  it('leaves an existing schema alone, in one round trip', async () => {
    const counted = countingDriver(edge);
    expect(await ensureSchema(counted)).toEqual({ created: false, version: SCHEMA_VERSION });
    expect(counted.calls).toHaveLength(1);
  });

  it('never alters a schema a DBOS app made, whatever its version', async () => {
    expect(await ensureSchema(sdk)).toEqual({ created: false, version: SCHEMA_VERSION });
    const other = await createTestDatabase('edge_conf_newer');
    const driver = postgresDriver(other.url);
    try {
      await sdkSchema(other.url);
      await driver.query('UPDATE dbos.dbos_migrations SET version = 130');
      await driver.query('DROP FUNCTION dbos.send_message');
      expect(await ensureSchema(driver)).toEqual({ created: false, version: 130 });
      const [row] = await driver.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'dbos' AND p.proname = 'send_message'`,
      );
      expect(row?.n).toBe(0);
    } finally {
      await driver.close();
      await other.drop();
    }
  });

  it('lets exactly one of several concurrent callers on a fresh database create the schema', async () => {
    const fresh = await createTestDatabase('edge_conf_race');
    const drivers = [0, 1, 2].map(() => countingDriver(postgresDriver(fresh.url)));
    const holder = postgres(fresh.url, { max: 1, onnotice: () => {} });
    try {
      // Hold the lock until all three have found no schema and are queued behind it: a real race, every time.
      let racing: Promise<EnsureSchemaResult[]> | undefined;
      await holder.begin(async (tx) => {
        await tx.unsafe(`SELECT pg_advisory_xact_lock(${ENSURE_SCHEMA_LOCK_KEY})`);
        racing = Promise.all(drivers.map((d) => ensureSchema(d)));
        await expect
          .poll(
            async () =>
              (
                await tx`SELECT count(*)::int AS n FROM pg_locks
                  WHERE locktype = 'advisory' AND NOT granted
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
              )[0]?.n,
            { timeout: 10_000 },
          )
          .toBe(3);
      });
      const results = await (racing as Promise<EnsureSchemaResult[]>);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.map((r) => r.version)).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
      // Each probed, then ran the batch; the two losers stopped at the re-check and read the winner's version.
      expect(drivers.map((d) => d.calls.filter((c) => c.startsWith('batch(')).length)).toEqual([1, 1, 1]);
      expect(drivers.map((d) => d.calls.length).sort()).toEqual([2, 3, 3]);

      const first = drivers[0] as Driver;
      expect(await ensureSchema(first)).toEqual({ created: false, version: SCHEMA_VERSION });
      expect(await first.query('SELECT version FROM dbos.dbos_migrations')).toEqual([{ version: SCHEMA_VERSION }]);
    } finally {
      await holder.end();
      await Promise.all(drivers.map((d) => d.close()));
      await fresh.drop();
    }
  });
});

describe('schema names', () => {
  it('builds a custom-named schema identical to `dbos schema -s <name>`', async () => {
    await Promise.all([sdkSchema(sdkDb.url, 'dbos_custom'), ensureSchema(edge, { schema: 'dbos_custom' })]);
    const expected = await catalog(sdk, 'dbos_custom');
    const actual = await catalog(edge, 'dbos_custom');
    for (const kind of Object.keys(expected) as CatalogKind[]) {
      expect.soft({ [kind]: actual[kind] }).toEqual({ [kind]: expected[kind] });
    }
    // And the same shape as the default schema.
    const { migrations: _m, ...shape } = await catalog(edge, 'dbos');
    const { migrations: _n, ...customShape } = actual;
    expect(customShape).toEqual(shape);
  });

  it.each(['x"; drop table y; --', '', '1dbos', 'dbos-edge', 'a'.repeat(64)])(
    'rejects %j before any SQL runs',
    async (name) => {
      const counted = countingDriver(edge);
      const err = await ensureSchema(counted, { schema: name }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.issues).toEqual([expect.objectContaining({ field: 'schema', rule: 'identifier' })]);
      expect(counted.calls).toEqual([]);
      expect(() => schemaDDL(name)).toThrow(ValidationError);
    },
  );
});

describe.each([
  ['the SDK-made schema', () => sdk],
  ['the ensureSchema-made schema', () => edge],
])('the SQL functions of %s', (_label, driverOf) => {
  const fail = async (sql: string, params: (string | null)[] = []) => {
    const err = await driverOf()
      .query(sql, params)
      .catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    return { sqlState: err.sqlState, message: err.message, detail: err.detail };
  };

  it('enqueue_workflow writes an ENQUEUED portable_json row and its inputs to workflow_input', async () => {
    const d = driverOf();
    const [ret] = await d.query(
      `SELECT dbos.enqueue_workflow('wf', 'q', ARRAY['1'::json, '"two"'::json], '{"k": true}'::json,
         workflow_id => 'fn-1', class_name => 'C', app_version => 'v1', priority => 3,
         authenticated_user => 'alice', application_name => 'app') AS id`,
    );
    expect(ret).toEqual({ id: 'fn-1' });
    const [row] = await d.query(`SELECT * FROM dbos.workflow_status WHERE workflow_uuid = 'fn-1'`);
    expect(row).toMatchObject({
      status: 'ENQUEUED',
      name: 'wf',
      class_name: 'C',
      config_name: null,
      queue_name: 'q',
      application_version: 'v1',
      priority: 3,
      recovery_attempts: 0,
      serialization: 'portable_json',
      authenticated_user: 'alice',
      application_name: 'app',
      parent_workflow_id: null,
      deduplication_id: null,
      delay_until_epoch_ms: null,
      inputs: null, // 5.3.0's enqueue_workflow writes the arguments to workflow_input only
      creator_xid: null,
    });
    expect(row?.owner_xid).toMatch(/^[0-9a-f-]{36}$/);
    expect(row?.created_at).toBe(row?.updated_at);
    expect(Math.abs(Number(row?.created_at) - Date.now())).toBeLessThan(60_000);
    const [input] = await d.query(
      `SELECT inputs, retention_timestamp FROM dbos.workflow_input WHERE workflow_uuid = 'fn-1'`,
    );
    expect(input).toEqual({
      inputs: '{"positionalArgs" : [1,"two"], "namedArgs" : {"k": true}}',
      retention_timestamp: row?.created_at,
    });
  });

  it('enqueue_workflow generates an ID, delays, and leaves an existing ID as it was', async () => {
    const d = driverOf();
    const [gen] = await d.query<{ id: string }>(`SELECT dbos.enqueue_workflow('wf', 'q') AS id`);
    expect(gen?.id).toMatch(/^[0-9a-f-]{36}$/);
    const [genInput] = await d.query(`SELECT inputs FROM dbos.workflow_input WHERE workflow_uuid = $1`, [
      gen?.id ?? '',
    ]);
    expect(genInput).toEqual({ inputs: '{"positionalArgs" : [], "namedArgs" : {}}' });

    await d.query(`SELECT dbos.enqueue_workflow('wf', 'q', workflow_id => 'fn-delayed', delay_until_epoch_ms => 42)`);
    const [delayed] = await d.query(
      `SELECT status, delay_until_epoch_ms FROM dbos.workflow_status WHERE workflow_uuid = 'fn-delayed'`,
    );
    expect(delayed).toEqual({ status: 'DELAYED', delay_until_epoch_ms: 42 });

    await d.query(`UPDATE dbos.workflow_status SET status = 'SUCCESS', updated_at = 1 WHERE workflow_uuid = 'fn-1'`);
    const [again] = await d.query(
      `SELECT dbos.enqueue_workflow('other', 'q2', ARRAY['9'::json], workflow_id => 'fn-1') AS id`,
    );
    expect(again).toEqual({ id: 'fn-1' });
    const [kept] = await d.query(
      `SELECT status, name, queue_name, updated_at > 1 AS touched FROM dbos.workflow_status WHERE workflow_uuid = 'fn-1'`,
    );
    expect(kept).toEqual({ status: 'SUCCESS', name: 'wf', queue_name: 'q', touched: true });
    const [keptInput] = await d.query(`SELECT inputs FROM dbos.workflow_input WHERE workflow_uuid = 'fn-1'`);
    expect(keptInput?.inputs).toBe('{"positionalArgs" : [1,"two"], "namedArgs" : {"k": true}}');
  });

  it('enqueue_workflow raises 23505 "DBOS queue duplicated" on a deduplication conflict', async () => {
    const d = driverOf();
    await d.query(`SELECT dbos.enqueue_workflow('wf', 'dq', workflow_id => 'dd-1', deduplication_id => 'k')`);
    expect(
      await fail(`SELECT dbos.enqueue_workflow('wf', 'dq', workflow_id => 'dd-2', deduplication_id => 'k')`),
    ).toEqual({
      sqlState: '23505',
      message: 'DBOS queue duplicated',
      detail: 'Workflow dd-2 with queue dq and deduplication ID k already exists',
    });
    const rows = await d.query(`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid LIKE 'dd-%'`);
    expect(rows).toEqual([{ workflow_uuid: 'dd-1' }]);
    const inputs = await d.query(`SELECT workflow_uuid FROM dbos.workflow_input WHERE workflow_uuid LIKE 'dd-%'`);
    expect(inputs).toEqual([{ workflow_uuid: 'dd-1' }]);
    // The same deduplication ID on another queue is fine.
    await d.query(`SELECT dbos.enqueue_workflow('wf', 'dq2', workflow_id => 'dd-3', deduplication_id => 'k')`);
  });

  it.each([
    [`SELECT dbos.enqueue_workflow('', 'q')`, 'Workflow name cannot be null or empty'],
    [`SELECT dbos.enqueue_workflow(NULL, 'q')`, 'Workflow name cannot be null or empty'],
    [`SELECT dbos.enqueue_workflow('wf', '')`, 'Queue name cannot be null or empty'],
    [`SELECT dbos.enqueue_workflow('wf', 'q', named_args => '[1]')`, 'Named args must be a JSON object'],
    [
      `SELECT dbos.enqueue_workflow('wf', 'q', workflow_id => '')`,
      'Workflow ID cannot be an empty string if provided.',
    ],
    [`SELECT dbos.enqueue_workflow('wf', 'q', delay_until_epoch_ms => -1)`, 'delay_until_epoch_ms must be >= 0'],
  ])('enqueue_workflow validates: %s', async (sql, message) => {
    expect(await fail(sql)).toEqual({ sqlState: 'P0001', message, detail: undefined });
  });

  it('send_message inserts a portable_json message, idempotent by message ID, and NOTIFYs', async () => {
    const d = driverOf();
    await d.query(`SELECT dbos.enqueue_workflow('wf', 'q', workflow_id => 'dest')`);
    const payloads: string[] = [];
    const unlisten = await (d.listen as NonNullable<Driver['listen']>)('dbos_notifications_channel', (p) =>
      payloads.push(p),
    );
    try {
      await d.query(`SELECT dbos.send_message('dest', '{"a": 1}'::json)`);
      await d.query(`SELECT dbos.send_message('dest', '"hi"'::json, 'greet', 'm-1')`);
      await d.query(`SELECT dbos.send_message('dest', '"again"'::json, 'greet', 'm-1')`);
      const rows = await d.query(
        `SELECT topic, message, serialization, consumed, length(message_uuid) AS id_len
         FROM dbos.notifications WHERE destination_uuid = 'dest'`,
      );
      rows.sort((a, b) => String(a.topic).localeCompare(String(b.topic)));
      expect(rows).toEqual([
        { topic: '__null__topic__', message: '{"a": 1}', serialization: 'portable_json', consumed: false, id_len: 36 },
        { topic: 'greet', message: '"hi"', serialization: 'portable_json', consumed: false, id_len: 3 },
      ]);
      await expect.poll(() => payloads.sort(), { timeout: 5000 }).toEqual(['dest::__null__topic__', 'dest::greet']);
    } finally {
      await unlisten();
    }
  });

  it('send_message raises 23503 "DBOS non-existent workflow" for a missing destination', async () => {
    expect(await fail(`SELECT dbos.send_message('nobody', '1'::json)`)).toEqual({
      sqlState: '23503',
      message: 'DBOS non-existent workflow',
      detail: 'Destination workflow nobody does not exist',
    });
  });
});
