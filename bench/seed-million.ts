/**
 * A production-sized `dbos.workflow_status`: `rows` (default 1,000,000) workflows of the last 30 days, written by
 * bulk SQL in chunks, with the columns and payload rows an enqueue and a DBOS 5.3 worker leave behind. Every value
 * derives from the row number through `hashint4`, so two runs seed identical tables.
 */
import postgres from 'postgres';

/** Workflow names; the first is hot (about 22% of rows), as a real application's busiest workflow is. */
export const SEED_NAMES = Array.from({ length: 20 }, (_, k) => `task_${String(k).padStart(2, '0')}`);
export const SEED_QUEUES = Array.from({ length: 5 }, (_, k) => `queue_${k}`);
/** Rows sharing one `created_at`: a multi-row enqueue stamps all its rows with the same millisecond. */
export const SEED_TIES = 10;
const DAY_MS = 86_400_000;

export interface SeedOptions {
  url: string;
  rows?: number;
  chunk?: number;
  applicationName: string;
  /** Called after each chunk with the rows written so far. */
  onProgress?: (done: number) => void;
}

/**
 * One chunk `[$1, $2]` of rows into all three tables, in one statement. Row `i` is, by `h = hash(i) % 100`:
 * SUCCESS (80%), ERROR (8%), CANCELLED (4%, taken off its queue as a cancel does), ENQUEUED (5%, never dequeued)
 * or PENDING (3%, dequeued and running); one in ten has a priority. Finished rows have their `workflow_output` row; every row has its input.
 * `created_at` climbs by `$3` ms every SEED_TIES rows, from `$4`, so the heap is in creation order as an append-only
 * table is, while the random-looking IDs order each tie differently.
 */
const CHUNK_SQL = `
  WITH g AS (
    SELECT i,
      abs(hashint4(i)::int8) % 100 AS h,
      abs(hashint4(i + 1000003)::int8) % 1000 AS hn,
      abs(hashint4(i + 2000003)::int8) % 1000 AS hq,
      md5(i::text)::uuid::text AS id,
      $4::int8 + (i / ${SEED_TIES}) * $3::int8 AS created
    FROM generate_series($1::int4, $2::int4) AS i
  ), r AS (
    SELECT g.*,
      CASE WHEN h < 80 THEN 'SUCCESS' WHEN h < 88 THEN 'ERROR' WHEN h < 92 THEN 'CANCELLED'
           WHEN h < 97 THEN 'ENQUEUED' ELSE 'PENDING' END AS status,
      -- Squaring skews the picks towards the first name and queue.
      ($5::text[])[1 + floor(20 * (hn / 1000.0) ^ 2)::int4] AS name,
      ($6::text[])[1 + floor(5 * (hq / 1000.0) ^ 2)::int4] AS queue
    FROM g
  ), ws AS (
    INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, executor_id, application_version,
      application_name, recovery_attempts, serialization, priority, created_at, updated_at, started_at_epoch_ms,
      completed_at, creator_xid)
    SELECT id, status, name,
      -- 30% of finished workflows ran without a queue; a cancel clears the queue.
      CASE WHEN status = 'CANCELLED' OR (status IN ('SUCCESS', 'ERROR') AND hq % 10 >= 7) THEN NULL ELSE queue END,
      CASE WHEN status = 'ENQUEUED' THEN NULL ELSE 'executor-' || i % 4 END,
      CASE WHEN status = 'ENQUEUED' THEN NULL ELSE 'v' || 1 + i * 6 / $7::int4 END,
      $8, CASE WHEN status = 'ENQUEUED' THEN 0 ELSE 1 END, 'portable_json',
      -- One workflow in ten carries a priority (1-3), as a queue with priorities enabled has.
      CASE WHEN hq % 10 = 9 THEN 1 + i % 3 ELSE 0 END,
      created,
      created + CASE WHEN status IN ('ENQUEUED', 'PENDING') THEN 0 ELSE 50 + hn END,
      CASE WHEN status IN ('ENQUEUED', 'CANCELLED') THEN NULL ELSE created + 5 END,
      CASE WHEN status IN ('ENQUEUED', 'PENDING') THEN NULL ELSE created + 50 + hn END,
      md5('creator' || i)::uuid::text
    FROM r
    RETURNING workflow_uuid, status, created_at, completed_at
  ), wi AS (
    INSERT INTO dbos.workflow_input (workflow_uuid, inputs, retention_timestamp)
    SELECT workflow_uuid,
      '{"positionalArgs":[{"orderId":"' || workflow_uuid || '","items":' || created_at % 7 || ',"rush":false}]}',
      created_at
    FROM ws
  )
  INSERT INTO dbos.workflow_output (workflow_uuid, output, error, retention_timestamp)
  SELECT workflow_uuid,
    CASE status WHEN 'SUCCESS' THEN '{"ok":true,"total":' || created_at % 10007 || '}' END,
    CASE status WHEN 'ERROR' THEN '{"name":"Error","message":"payment declined (' || created_at % 97 || ')"}' END,
    completed_at
  FROM ws WHERE status IN ('SUCCESS', 'ERROR')`;

/**
 * Seeds the rows (created between 31 and 1 days ago, so anything enqueued later is newer) and VACUUM ANALYZEs,
 * as a long-lived table would be. Returns the milliseconds taken, vacuum included.
 */
export async function seedMillion({
  url,
  rows = 1_000_000,
  chunk = 100_000,
  applicationName,
  onProgress,
}: SeedOptions): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const start = performance.now();
  const first = Date.now() - 31 * DAY_MS;
  const step = Math.floor((30 * DAY_MS * SEED_TIES) / rows);
  try {
    for (let lo = 0; lo < rows; lo += chunk) {
      const hi = Math.min(rows, lo + chunk) - 1;
      await sql.unsafe(CHUNK_SQL, [
        lo,
        hi,
        step,
        first,
        arrayLiteral(SEED_NAMES),
        arrayLiteral(SEED_QUEUES),
        rows,
        applicationName,
      ]);
      onProgress?.(hi + 1);
    }
    await sql.unsafe('VACUUM ANALYZE dbos.workflow_status, dbos.workflow_input, dbos.workflow_output');
    return performance.now() - start;
  } finally {
    await sql.end();
  }
}

/** A text[] literal of plain identifiers (no quoting needed). */
const arrayLiteral = (xs: readonly string[]) => `{${xs.join(',')}}`;
