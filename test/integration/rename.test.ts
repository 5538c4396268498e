/**
 * renameApplication on a real Postgres, beside `@dbos-inc/dbos-sdk`'s own client: the same rows, seeded twice under
 * different names, move the same way and are counted the same, in one batch and in many.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBOSClient, ValidationError, type ValidationIssue } from '../../src/index.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let client: DBOSClient;
let sdk: SdkClient;

beforeAll(async () => {
  db = await createDbosDatabase('edge_rename');
  sql = db.sql;
  client = new DBOSClient({ systemDatabaseUrl: db.url });
  sdk = await SdkClient.create({ systemDatabaseUrl: db.url });
});

afterAll(async () => {
  await client?.destroy();
  await sdk?.destroy();
  await db?.drop();
});

/** One application's rows in every owned table (and some unclaimed ones, marked by `tag`), under `owner`. */
async function seed(owner: string, tag: string): Promise<void> {
  await sql`INSERT INTO dbos.queues (name, application_name) VALUES (${`${tag}-q`}, ${owner}), (${`${tag}-free-q`}, NULL)`;
  await sql`INSERT INTO dbos.workflow_schedules (schedule_id, schedule_name, workflow_name, schedule, context, application_name)
    VALUES (${`${tag}-s`}, ${`${tag}-s`}, 'w', '* * * * *', 'null', ${owner})`;
  await sql`INSERT INTO dbos.application_versions (version_id, version_name, application_name)
    VALUES (${`${tag}-v`}, ${`${tag}-v`}, ${owner})`;
  for (let i = 0; i < 7; i++) {
    const id = `${tag}-wf-${i}`;
    const status = i < 2 ? 'PENDING' : 'SUCCESS';
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, application_name, created_at, updated_at)
      VALUES (${id}, ${status}, 'w', ${owner}, 0, 0)`;
    await sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, application_name)
      VALUES (${id}, 0, 'f', ${owner}), (${id}, 1, 'g', ${owner})`;
  }
}

async function owners(tag: string): Promise<Record<string, string[]>> {
  const tables = ['queues', 'workflow_schedules', 'application_versions', 'workflow_status', 'operation_outputs'];
  const key: Record<string, string> = {
    queues: 'name',
    workflow_schedules: 'schedule_name',
    application_versions: 'version_name',
    workflow_status: 'workflow_uuid',
    operation_outputs: 'workflow_uuid',
  };
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await sql.unsafe(
      `SELECT DISTINCT coalesce(application_name, '(none)') AS owner FROM dbos.${table} WHERE ${key[table]} LIKE $1 ORDER BY 1`,
      [`${tag}-%`],
    );
    out[table] = rows.map((row) => String(row.owner));
  }
  return out;
}

describe('renameApplication', () => {
  it('moves every row of the old name, in batches, counted as the SDK counts them', async () => {
    await seed('shop', 'edge');
    await seed('shop-sdk', 'sdk');
    const ours = await client.renameApplication('shop', 'store', { batchSize: 2 });
    const theirs = await sdk.renameApplication('shop-sdk', 'store-sdk', { batchSize: 2 });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ queues: 1, schedules: 1, versions: 1, workflows: 7, steps: 14 });
    const moved = await owners('edge');
    expect(moved).toEqual({
      queues: ['(none)', 'store'],
      workflow_schedules: ['store'],
      application_versions: ['store'],
      workflow_status: ['store'],
      operation_outputs: ['store'],
    });
  });

  it('adopts unclaimed rows too when asked, in one batch with batchSize null', async () => {
    await sql`INSERT INTO dbos.queues (name, application_name) VALUES ('adopt-free-q', NULL)`;
    const counts = await client.renameApplication(undefined, 'adopter', { adoptUnclaimedRows: true, batchSize: null });
    expect(counts.queues).toBeGreaterThanOrEqual(2);
    const [left] = await sql`SELECT count(*)::int AS n FROM dbos.queues WHERE application_name IS NULL`;
    expect(left?.n).toBe(0);
    expect((await owners('adopt')).queues).toEqual(['adopter']);
  });

  it('refuses what the SDK refuses, in its words, naming the argument', async () => {
    const issuesOf = async (call: Promise<unknown>): Promise<readonly ValidationIssue[]> => {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    };
    expect(await issuesOf(client.renameApplication('', 'x'))).toMatchObject([
      { field: 'oldName', message: "The application's previous name cannot be empty." },
    ]);
    expect(await issuesOf(client.renameApplication(undefined, 'x'))).toMatchObject([
      {
        field: 'oldName',
        message: 'Nothing to re-own: name the application to rename, adopt unclaimed rows, or both.',
      },
    ]);
    expect(await issuesOf(client.renameApplication('x', 'x'))).toMatchObject([
      { field: 'newName', message: "Application 'x' already holds that name; nothing to rename." },
    ]);
    expect(await issuesOf(client.renameApplication('x', 'y', { batchSize: 0 }))).toMatchObject([
      { field: 'options.batchSize' },
    ]);
  });
});
