/**
 * Creates the DBOS system schema, as DBOS Transact leaves it after migration 123, in a database that has none,
 * so a client (or a test) can run without first launching a DBOS app. A real DBOS app started on the result
 * finds version 123 recorded and has nothing to migrate.
 *
 * The DDL below is written as one end state, not a replay of the SDKs' migration history. It is checked
 * against the schema `dbos schema` (TS SDK 5.3.0) creates by `test/integration/schema-conformance.test.ts`:
 * same tables, columns, defaults, constraints, indexes, functions and triggers.
 *
 * No extension is needed: the SDK's own defaults use the core `gen_random_uuid()` (Postgres 13+), not
 * `uuid-ossp`'s `uuid_generate_v4()`, so the schema also builds on embedded Postgres builds without contrib.
 */
import type { Driver } from '../driver.ts';
import { DriverError } from '../errors.ts';
import { quoteIdent, validateSchemaName } from './name.ts';

/** The DBOS migration the DDL corresponds to; recorded in `<schema>.dbos_migrations`. */
export const SCHEMA_VERSION = 123;

/**
 * Transaction-level advisory lock taken before creating anything, so concurrent `ensureSchema` calls
 * (any schema name) run one after the other: the leading 8 bytes of SHA-256('dbos-edge.ensureSchema').
 */
export const ENSURE_SCHEMA_LOCK_KEY = '3233099521054687551';

/** Epoch milliseconds, the default of every `*_at` / retention column (spelled as the SDK spells it). */
const NOW_MS = '(EXTRACT(epoch FROM now()) * 1000.0)::bigint';

/**
 * The statements, in order, that create the schema and record its version. Each is one statement; every
 * one that Postgres allows to be conditional is (`IF NOT EXISTS`, `OR REPLACE`). The name is validated
 * first, since it is interpolated.
 */
export function schemaDDL(schemaName: string): string[] {
  const schema = quoteIdent(schemaName);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,

    `CREATE TABLE IF NOT EXISTS ${schema}.dbos_migrations (
  version bigint NOT NULL,
  CONSTRAINT dbos_migrations_pkey PRIMARY KEY (version)
)`,

    // --- workflows -------------------------------------------------------------------------------------
    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_status (
  workflow_uuid text NOT NULL,
  status text,
  name text,
  authenticated_user text,
  assumed_role text,
  authenticated_roles text,
  request text,
  output text,
  error text,
  executor_id text,
  created_at bigint NOT NULL DEFAULT ${NOW_MS},
  updated_at bigint NOT NULL DEFAULT ${NOW_MS},
  application_version text,
  application_id text,
  class_name varchar(255) DEFAULT NULL,
  config_name varchar(255) DEFAULT NULL,
  recovery_attempts bigint DEFAULT 0,
  queue_name text,
  workflow_timeout_ms bigint,
  workflow_deadline_epoch_ms bigint,
  inputs text,
  started_at_epoch_ms bigint,
  deduplication_id text,
  priority integer NOT NULL DEFAULT 0,
  queue_partition_key text,
  forked_from text,
  owner_xid text,
  parent_workflow_id text,
  serialization text,
  delay_until_epoch_ms bigint,
  was_forked_from boolean NOT NULL DEFAULT false,
  rate_limited boolean NOT NULL DEFAULT false,
  completed_at bigint,
  attributes jsonb,
  schedule_name text,
  debounce_deadline_epoch_ms bigint,
  is_debounced boolean NOT NULL DEFAULT false,
  application_name text,
  creator_xid text,
  CONSTRAINT workflow_status_pkey PRIMARY KEY (workflow_uuid)
)`,
    `CREATE INDEX IF NOT EXISTS workflow_status_created_at_index ON ${schema}.workflow_status (created_at)`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_delayed ON ${schema}.workflow_status (delay_until_epoch_ms)
  WHERE status = 'DELAYED'`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_forked_from ON ${schema}.workflow_status (forked_from)
  WHERE forked_from IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_parent_workflow_id ON ${schema}.workflow_status (parent_workflow_id)
  WHERE parent_workflow_id IS NOT NULL`,
    `CREATE UNIQUE INDEX IF NOT EXISTS uq_workflow_status_dedup_id ON ${schema}.workflow_status (queue_name, deduplication_id)
  WHERE deduplication_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_pending ON ${schema}.workflow_status (created_at)
  WHERE status = 'PENDING'`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_failed ON ${schema}.workflow_status (status, created_at)
  WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_rate_limited ON ${schema}.workflow_status (queue_name, started_at_epoch_ms)
  WHERE rate_limited = true`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_completed_at ON ${schema}.workflow_status (completed_at)
  WHERE completed_at IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_started_at ON ${schema}.workflow_status (started_at_epoch_ms)
  WHERE started_at_epoch_ms IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_attributes ON ${schema}.workflow_status USING gin (attributes)
  WHERE attributes IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_schedule_name ON ${schema}.workflow_status (schedule_name)
  WHERE schedule_name IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight_v2
  ON ${schema}.workflow_status (queue_name, status, priority, created_at) INCLUDE (application_name)
  WHERE status IN ('ENQUEUED', 'PENDING')`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v3
  ON ${schema}.workflow_status (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid)
  INCLUDE (application_name)
  WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_deadline ON ${schema}.workflow_status (workflow_deadline_epoch_ms)
  WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL`,

    // Payloads (migration 109). No foreign keys: deleting a status row leaves these to retention.
    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_input (
  workflow_uuid text NOT NULL,
  inputs text,
  retention_timestamp bigint NOT NULL DEFAULT ${NOW_MS},
  CONSTRAINT workflow_input_pkey PRIMARY KEY (workflow_uuid)
)`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_input_retention ON ${schema}.workflow_input (retention_timestamp)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_output (
  workflow_uuid text NOT NULL,
  output text,
  error text,
  retention_timestamp bigint NOT NULL DEFAULT ${NOW_MS},
  CONSTRAINT workflow_output_pkey PRIMARY KEY (workflow_uuid)
)`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_output_retention ON ${schema}.workflow_output (retention_timestamp)`,

    // Steps. The foreign key to workflow_status was dropped in migration 112.
    `CREATE TABLE IF NOT EXISTS ${schema}.operation_outputs (
  workflow_uuid text NOT NULL,
  function_id integer NOT NULL,
  function_name text NOT NULL DEFAULT '',
  output text,
  error text,
  child_workflow_id text,
  started_at_epoch_ms bigint,
  completed_at_epoch_ms bigint,
  serialization text,
  application_name text,
  retention_timestamp bigint NOT NULL DEFAULT ${NOW_MS},
  CONSTRAINT operation_outputs_pkey PRIMARY KEY (workflow_uuid, function_id)
)`,
    `CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name_v2
  ON ${schema}.operation_outputs (completed_at_epoch_ms, function_name) INCLUDE (application_name)`,
    `CREATE INDEX IF NOT EXISTS idx_operation_outputs_retention ON ${schema}.operation_outputs (retention_timestamp)`,

    // --- messages, events, streams ---------------------------------------------------------------------
    // gen_random_uuid() returns uuid; unlike queues.queue_id below, the SDK leaves the cast to text implicit.
    `CREATE TABLE IF NOT EXISTS ${schema}.notifications (
  message_uuid text NOT NULL DEFAULT gen_random_uuid(),
  destination_uuid text NOT NULL,
  topic text,
  message text NOT NULL,
  created_at_epoch_ms bigint NOT NULL DEFAULT ${NOW_MS},
  serialization text,
  consumed boolean NOT NULL DEFAULT false,
  consumed_by_function_id integer,
  CONSTRAINT notifications_pkey PRIMARY KEY (message_uuid),
  CONSTRAINT notifications_destination_uuid_fkey FOREIGN KEY (destination_uuid)
    REFERENCES ${schema}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_topic ON ${schema}.notifications (destination_uuid, topic)`,

    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_events (
  workflow_uuid text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  serialization text,
  CONSTRAINT workflow_events_pkey PRIMARY KEY (workflow_uuid, key),
  CONSTRAINT workflow_events_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${schema}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_events_history (
  workflow_uuid text NOT NULL,
  function_id integer NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  serialization text,
  CONSTRAINT workflow_events_history_pkey PRIMARY KEY (workflow_uuid, function_id, key),
  CONSTRAINT workflow_events_history_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${schema}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.streams (
  workflow_uuid text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  "offset" integer NOT NULL,
  function_id integer NOT NULL DEFAULT 0,
  serialization text,
  CONSTRAINT streams_pkey PRIMARY KEY (workflow_uuid, key, "offset"),
  CONSTRAINT streams_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${schema}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)`,

    // --- the rest of the SDK's state (event receivers, schedules, versions, queues) ---------------------
    `CREATE TABLE IF NOT EXISTS ${schema}.event_dispatch_kv (
  service_name text NOT NULL,
  workflow_fn_name text NOT NULL,
  key text NOT NULL,
  value text,
  update_seq numeric(38, 0),
  update_time numeric(38, 15),
  CONSTRAINT event_dispatch_kv_pkey PRIMARY KEY (service_name, workflow_fn_name, key)
)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.workflow_schedules (
  schedule_id text NOT NULL,
  schedule_name text NOT NULL,
  workflow_name text NOT NULL,
  workflow_class_name text,
  schedule text NOT NULL,
  status text NOT NULL DEFAULT 'ACTIVE',
  context text NOT NULL,
  last_fired_at text,
  automatic_backfill boolean NOT NULL DEFAULT false,
  cron_timezone text,
  queue_name text,
  application_name text,
  CONSTRAINT workflow_schedules_pkey PRIMARY KEY (schedule_id),
  CONSTRAINT workflow_schedules_schedule_name_key UNIQUE (schedule_name)
)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.application_versions (
  version_id text NOT NULL,
  version_name text NOT NULL,
  version_timestamp bigint NOT NULL DEFAULT ${NOW_MS},
  created_at bigint NOT NULL DEFAULT ${NOW_MS},
  application_name text,
  CONSTRAINT application_versions_pkey PRIMARY KEY (version_id),
  CONSTRAINT application_versions_version_name_key UNIQUE (version_name)
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_owner_version
  ON ${schema}.application_versions (application_name, version_name) WHERE application_name IS NOT NULL`,
    `CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_unclaimed_version
  ON ${schema}.application_versions (version_name) WHERE application_name IS NULL`,
    `CREATE TABLE IF NOT EXISTS ${schema}.queues (
  queue_id text NOT NULL DEFAULT gen_random_uuid()::text,
  name text NOT NULL,
  concurrency integer,
  worker_concurrency integer,
  rate_limit_max integer,
  rate_limit_period_sec double precision,
  priority_enabled boolean NOT NULL DEFAULT false,
  partition_queue boolean NOT NULL DEFAULT false,
  polling_interval_sec double precision NOT NULL DEFAULT 1.0,
  created_at bigint NOT NULL DEFAULT ${NOW_MS},
  updated_at bigint NOT NULL DEFAULT ${NOW_MS},
  application_name text,
  partition_concurrency integer,
  partition_worker_concurrency integer,
  partition_rate_limit_max integer,
  partition_rate_limit_period_sec double precision,
  CONSTRAINT queues_pkey PRIMARY KEY (queue_id),
  CONSTRAINT queues_name_key UNIQUE (name)
)`,

    // --- functions and the NOTIFY trigger --------------------------------------------------------------
    // All three pin search_path, so every table reference inside is schema-qualified.

    // recv() waiters LISTEN on one channel for every schema; the payload names the destination and topic.
    `CREATE OR REPLACE FUNCTION ${schema}.notifications_function() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
  PERFORM pg_notify('dbos_notifications_channel', NEW.destination_uuid || '::' || NEW.topic);
  RETURN NEW;
END
$body$`,
    // CREATE TRIGGER has no IF NOT EXISTS; OR REPLACE (Postgres 14+) makes it just as repeatable.
    `CREATE OR REPLACE TRIGGER dbos_notifications_trigger
  AFTER INSERT ON ${schema}.notifications
  FOR EACH ROW EXECUTE FUNCTION ${schema}.notifications_function()`,

    // SQL API for non-SDK producers: enqueue a workflow whose arguments are portable JSON. Like the SDK
    // (5.3.0), the arguments go to workflow_input only; workflow_status.inputs stays NULL.
    `CREATE OR REPLACE FUNCTION ${schema}.enqueue_workflow(
  workflow_name text,
  queue_name text,
  positional_args json[] DEFAULT ARRAY[]::json[],
  named_args json DEFAULT '{}'::json,
  class_name text DEFAULT NULL,
  config_name text DEFAULT NULL,
  workflow_id text DEFAULT NULL,
  app_version text DEFAULT NULL,
  timeout_ms bigint DEFAULT NULL,
  deadline_epoch_ms bigint DEFAULT NULL,
  deduplication_id text DEFAULT NULL,
  priority integer DEFAULT NULL,
  queue_partition_key text DEFAULT NULL,
  authenticated_user text DEFAULT NULL,
  authenticated_roles text DEFAULT NULL,
  delay_until_epoch_ms bigint DEFAULT NULL,
  application_name text DEFAULT NULL
) RETURNS text
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
  -- Parameters are referred to as enqueue_workflow.<name>: several share a name with a column.
  new_id text := COALESCE(enqueue_workflow.workflow_id, gen_random_uuid()::text);
  now_ms bigint := (EXTRACT(epoch FROM now()) * 1000)::bigint;
BEGIN
  IF COALESCE(enqueue_workflow.workflow_name, '') = '' THEN
    RAISE EXCEPTION 'Workflow name cannot be null or empty';
  ELSIF COALESCE(enqueue_workflow.queue_name, '') = '' THEN
    RAISE EXCEPTION 'Queue name cannot be null or empty';
  ELSIF enqueue_workflow.named_args IS NOT NULL AND json_typeof(enqueue_workflow.named_args) <> 'object' THEN
    RAISE EXCEPTION 'Named args must be a JSON object';
  ELSIF enqueue_workflow.workflow_id = '' THEN
    RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.';
  ELSIF enqueue_workflow.delay_until_epoch_ms < 0 THEN
    RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0';
  END IF;

  BEGIN
    -- An existing row with this ID is left as it is (only touched), so enqueueing is idempotent by ID.
    INSERT INTO ${schema}.workflow_status (
      workflow_uuid, status, name, class_name, config_name,
      queue_name, deduplication_id, priority, queue_partition_key, application_version,
      created_at, updated_at, recovery_attempts, workflow_timeout_ms, workflow_deadline_epoch_ms,
      parent_workflow_id, owner_xid, serialization, authenticated_user, authenticated_roles,
      delay_until_epoch_ms, application_name
    ) VALUES (
      new_id,
      CASE WHEN enqueue_workflow.delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
      enqueue_workflow.workflow_name, enqueue_workflow.class_name, enqueue_workflow.config_name,
      enqueue_workflow.queue_name, enqueue_workflow.deduplication_id, COALESCE(enqueue_workflow.priority, 0),
      enqueue_workflow.queue_partition_key, enqueue_workflow.app_version,
      now_ms, now_ms, 0, enqueue_workflow.timeout_ms, enqueue_workflow.deadline_epoch_ms,
      NULL, gen_random_uuid()::text, 'portable_json',
      enqueue_workflow.authenticated_user, enqueue_workflow.authenticated_roles,
      enqueue_workflow.delay_until_epoch_ms, enqueue_workflow.application_name
    )
    ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
  EXCEPTION WHEN unique_violation THEN
    -- The only other unique index is the queue's deduplication ID.
    RAISE EXCEPTION 'DBOS queue duplicated'
      USING ERRCODE = 'unique_violation',
        DETAIL = format('Workflow %s with queue %s and deduplication ID %s already exists',
          new_id, enqueue_workflow.queue_name, enqueue_workflow.deduplication_id);
  END;

  INSERT INTO ${schema}.workflow_input (workflow_uuid, inputs, retention_timestamp)
  VALUES (
    new_id,
    json_build_object('positionalArgs', enqueue_workflow.positional_args, 'namedArgs', enqueue_workflow.named_args)::text,
    now_ms
  )
  ON CONFLICT (workflow_uuid) DO NOTHING;

  RETURN new_id;
END
$body$`,

    // SQL API for non-SDK producers: send a portable-JSON message to a workflow, idempotent by message_id.
    `CREATE OR REPLACE FUNCTION ${schema}.send_message(
  destination_id text,
  message json,
  topic text DEFAULT NULL,
  message_id text DEFAULT NULL
) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
  INSERT INTO ${schema}.notifications (message_uuid, destination_uuid, topic, message, serialization)
  VALUES (
    COALESCE(send_message.message_id, gen_random_uuid()::text),
    send_message.destination_id,
    COALESCE(send_message.topic, '__null__topic__'),
    send_message.message::text,
    'portable_json'
  )
  ON CONFLICT (message_uuid) DO NOTHING;
EXCEPTION WHEN foreign_key_violation THEN
  RAISE EXCEPTION 'DBOS non-existent workflow'
    USING ERRCODE = 'foreign_key_violation',
      DETAIL = format('Destination workflow %s does not exist', send_message.destination_id);
END
$body$`,

    // The version DBOS reads (single row): a DBOS app started on this schema finds nothing to migrate.
    `INSERT INTO ${schema}.dbos_migrations (version)
  SELECT ${SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM ${schema}.dbos_migrations)`,
  ];
}

export interface EnsureSchemaResult {
  /** True when this call created the schema; false when one was already there (left untouched). */
  readonly created: boolean;
  /** The recorded DBOS migration version (0 if the version table exists but is empty). */
  readonly version: number;
}

/**
 * Makes sure the database holds a DBOS system schema named `options.schema` (default `dbos`).
 *
 * A schema that already has `dbos_migrations` is never altered, whatever its version (DBOS apps migrate
 * their own schema): one cheap query finds it and returns `{ created: false, version }`. Otherwise every
 * statement of `schemaDDL` runs in one transaction, behind an advisory lock and a re-check under that lock,
 * so concurrent callers are safe: the one that loses the race sees the winner's schema and returns
 * `{ created: false }`.
 */
export async function ensureSchema(driver: Driver, options: { schema?: string } = {}): Promise<EnsureSchemaResult> {
  const schema = validateSchemaName(options.schema ?? 'dbos');
  const ddl = schemaDDL(schema);
  const existing = await readVersion(driver, schema);
  if (existing !== undefined) return { created: false, version: existing };

  const migrations = `${quoteIdent(schema)}.dbos_migrations`;
  try {
    await driver.batch(
      [
        `SELECT pg_advisory_xact_lock(${ENSURE_SCHEMA_LOCK_KEY})`,
        // Under the lock: if someone created the schema since the probe, abort without touching it.
        `DO $guard$
BEGIN
  IF to_regclass('${migrations}') IS NOT NULL THEN
    RAISE EXCEPTION 'DBOS system schema % already exists', '${schema}' USING ERRCODE = 'duplicate_schema';
  END IF;
END
$guard$`,
        ...ddl,
      ].map((text) => ({ text, params: [] })),
    );
  } catch (e) {
    // Lost a race (to another ensureSchema or a DBOS app): report what is there now, else the real failure.
    const version = await readVersion(driver, schema).catch(() => undefined);
    if (version !== undefined) return { created: false, version };
    throw e;
  }
  return { created: true, version: SCHEMA_VERSION };
}

/** The recorded version, or undefined when the schema or its `dbos_migrations` table does not exist. */
async function readVersion(driver: Driver, schema: string): Promise<number | undefined> {
  try {
    const rows = await driver.query<{ version: unknown }>(
      `SELECT max(version) AS version FROM ${quoteIdent(schema)}.dbos_migrations`,
    );
    return Number(rows[0]?.version ?? 0);
  } catch (e) {
    // 42P01 undefined_table, 3F000 invalid_schema_name.
    if (e instanceof DriverError && (e.sqlState === '42P01' || e.sqlState === '3F000')) return undefined;
    throw e;
  }
}
