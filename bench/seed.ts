/** The bench database, its schema and the rows the listing case reads. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { createTestDatabase } from '../test/helpers/pg.ts';

const DBOS_CLI = fileURLToPath(new URL('../node_modules/.bin/dbos', import.meta.url));

/** Creates the schema with DBOS's own migrations (`dbos schema`), so neither client's DDL is the one measured. */
async function createDbosSchema(url: string): Promise<void> {
  await promisify(execFile)(DBOS_CLI, ['schema', url]);
}

/**
 * Runs `fn` on a fresh database holding the DBOS schema, and drops the database afterwards: on success, on failure,
 * and on Ctrl-C (a failure too).
 */
export async function withBenchDatabase<T>(
  prefix: string,
  log: (message: string) => void,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const db = await createTestDatabase(prefix);
  log(`database ${db.name}`);
  const interrupted = () => void db.drop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    await createDbosSchema(db.url);
    return await fn(db.url);
  } finally {
    process.off('SIGINT', interrupted);
    await db.drop();
  }
}

/**
 * Inserts `rows` finished workflows of `applicationName` (90% SUCCESS, 5% ERROR, 5% CANCELLED), created before
 * anything the other cases write, so a listing's first page is seeded rows. Payloads go where DBOS 5.3 puts them,
 * the `workflow_input` / `workflow_output` tables (legacy columns NULL), so both clients' LEFT JOINs find them.
 */
export async function seedWorkflows(url: string, rows: number, applicationName: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const base = Date.now() - 86_400_000 - rows;
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(
        `INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, executor_id, application_version,
           application_name, recovery_attempts, serialization, priority, created_at, updated_at, started_at_epoch_ms,
           completed_at)
         SELECT 'seed-' || lpad(i::text, 7, '0'),
           CASE i % 20 WHEN 0 THEN 'ERROR' WHEN 1 THEN 'CANCELLED' ELSE 'SUCCESS' END,
           'noop', 'bench_seed', 'bench-executor', 'v1', $1, 1, 'portable_json', 0,
           $2::bigint + i, $2::bigint + i + 5, $2::bigint + i + 1, $2::bigint + i + 5
         FROM generate_series(1, $3::int) AS i`,
        [applicationName, base, rows],
      );
      await tx.unsafe(
        `INSERT INTO dbos.workflow_input (workflow_uuid, inputs, retention_timestamp)
         SELECT workflow_uuid, '{"positionalArgs":[1]}', created_at FROM dbos.workflow_status
         WHERE workflow_uuid LIKE 'seed-%'`,
      );
      await tx.unsafe(
        `INSERT INTO dbos.workflow_output (workflow_uuid, output, error, retention_timestamp)
         SELECT workflow_uuid,
           CASE status WHEN 'SUCCESS' THEN '1' END,
           CASE status WHEN 'ERROR' THEN '{"name":"Error","message":"boom"}' END,
           completed_at
         FROM dbos.workflow_status WHERE workflow_uuid LIKE 'seed-%' AND status IN ('SUCCESS', 'ERROR')`,
      );
    });
    // Fresh statistics and visibility map, as a long-lived table would have.
    await sql.unsafe('VACUUM ANALYZE dbos.workflow_status, dbos.workflow_input, dbos.workflow_output');
  } finally {
    await sql.end();
  }
}
