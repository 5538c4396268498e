/**
 * Valibot schemas for every option object the client takes. The same schemas validate the HTTP edge and
 * generate its OpenAPI document, so a rule is written once. Unknown keys are refused (strict objects):
 * a misspelt option must fail loudly, not be ignored.
 */
import * as v from 'valibot';
import type { Driver } from './driver.ts';
import { ValidationError, type ValidationIssue } from './errors.ts';
import type { SchedulerApp } from './option-types.ts';
import type { Serializer } from './serialization.ts';
import { WORKFLOW_STATUSES } from './status.ts';
import { isStorableJson, isStorableText, MAX_ID_BYTES, utf8Length } from './text.ts';
import type { PollingOptions } from './wait.ts';

export type {
  BackfillOptions,
  BulkOptions,
  CancelOptions,
  EnqueueItem,
  EnqueueOptions,
  ForkOptions,
  GetEventOptions,
  ListPageInput,
  ListSchedulesInput,
  ListStepsOptions,
  ListWorkflowsInput,
  Message,
  ReadStreamOffsetOptions,
  ReadStreamOptions,
  ResumeOptions,
  ScheduleInput,
  SchedulerApp,
  ScheduleUpdate,
  SendOptions,
  TickOptions,
  WaitAllOptions,
  WaitOptions,
} from './option-types.ts';

const INT32_MAX = 2_147_483_647;

/** The rule name of each named check, by its requirement function (valibot reports every check as `check`). */
const CHECK_RULES = new Map<unknown, string>();

/** A `v.check` whose failures report `rule` rather than the generic `check`. */
function namedCheck<T>(rule: string, requirement: (input: T) => boolean, message: string) {
  CHECK_RULES.set(requirement, rule);
  return v.check(requirement, message);
}

const notBlank = (s: string) => s.trim().length > 0;
const storable = (s: string) => isStorableText(s);
const withinIdBytes = (s: string) => utf8Length(s) <= MAX_ID_BYTES;

/** Any string stored in an indexed or short text column: storable by Postgres and at most `MAX_ID_BYTES`. */
export const text = () =>
  v.pipe(
    v.string(),
    namedCheck('text', storable, 'must not contain NUL or unpaired UTF-16 surrogates'),
    namedCheck('max_bytes', withinIdBytes, `must be at most ${MAX_ID_BYTES} UTF-8 bytes`),
  );

/** A string with at least one non-blank character (IDs, names), storable and at most `MAX_ID_BYTES`. */
export const id = () => v.pipe(text(), namedCheck('not_blank', notBlank, 'must not be empty or blank'));
const oneOrMany = () => v.union([id(), v.array(id())]);

/** A one-or-many filter value as a list (undefined stays undefined). */
export const asList = <T extends string>(x: T | T[] | undefined): T[] | undefined =>
  x === undefined ? undefined : ([x].flat() as T[]);
const positiveInt = () => v.pipe(v.number(), v.integer(), v.minValue(1));
const nonNegativeInt = () => v.pipe(v.number(), v.integer(), v.minValue(0));
/** The largest epoch milliseconds a JS Date holds (±100 million days). */
const MAX_EPOCH_MS = 8.64e15;
/** A point in time: an ISO 8601 string, a Date, or epoch milliseconds. */
export const instant = () =>
  v.union([
    v.pipe(
      v.string(),
      namedCheck('date_time', (s: string) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time'),
    ),
    v.date(),
    v.pipe(
      v.number(),
      v.integer(),
      namedCheck('date_range', (ms: number) => Math.abs(ms) <= MAX_EPOCH_MS, 'must be a representable date'),
    ),
  ]);

const statusSchema = v.picklist(WORKFLOW_STATUSES);

const serializationType = v.picklist(['portable', 'native']);
/** A JSON object stored in jsonb, which refuses NUL and unpaired surrogates anywhere in it. */
const jsonObject = v.pipe(
  v.record(v.string(), v.unknown()),
  namedCheck<Record<string, unknown>>(
    'text',
    isStorableJson,
    'must not contain NUL or unpaired UTF-16 surrogates in any key or string',
  ),
);

// ------------------------------------------------------------------ the client

export interface DBOSClientConfig {
  /** Python `system_database_url`. Falls back to one derived from `applicationDatabaseUrl`. */
  systemDatabaseUrl?: string;
  /** Python `application_database_url`: the system database is its database name plus `_dbos_sys`. */
  applicationDatabaseUrl?: string;
  /** Python `system_database_engine`: a ready driver (any adapter, or your own); URLs are then ignored. */
  driver?: Driver;
  /**
   * How a driver opened from a URL connects. `pool` (default): a pool for the process. `per-request`: one
   * connection, no type lookup on open, never ended by the client (a Cloudflare Worker, where a socket belongs to
   * the request that opened it and workerd closes it).
   */
  connection?: 'pool' | 'per-request';
  /** Python `dbos_system_schema`. Default `dbos`. */
  systemDatabaseSchemaName?: string;
  /** Python `serializer`: a custom format, used by default for writes and to read rows carrying its name. */
  serializer?: Serializer;
  /** The application this client acts for: owner of what it enqueues, and the default scope of listings. */
  applicationName?: string;
  /** How waits poll (see `wait.ts`): for results always, for events and streams as LISTEN's safety net. */
  polling?: PollingOptions;
  /**
   * The DBOS app whose scheduler fires the schedules this client writes: its language and serializer (`native`,
   * the default: superjson for TypeScript, pickle for Python; or `portable` when the app is configured with the
   * portable JSON serializer). It sets the format of schedule contexts and the default run ID format of ticks and
   * backfills. Unset: detected from the database (see README, "Schedules for your app"); never guessed.
   */
  schedulerApp?: SchedulerApp;
  /**
   * Wake event and stream readers with LISTEN/NOTIFY when the driver can (default true). Turn it off behind a
   * transaction-mode pooler, which does not deliver notifications; waits then poll.
   */
  listen?: boolean;
}

export const SchedulerAppSchema = v.strictObject({
  language: v.picklist(['typescript', 'python']),
  serializer: v.optional(v.picklist(['native', 'portable'])),
});

export const ClientConfigSchema = v.strictObject({
  systemDatabaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  applicationDatabaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  driver: v.optional(
    v.custom<Driver>((d) => typeof (d as Driver)?.query === 'function', 'must implement the Driver interface'),
  ),
  connection: v.optional(v.picklist(['pool', 'per-request'])),
  systemDatabaseSchemaName: v.optional(v.string()),
  serializer: v.optional(
    v.custom<Serializer>(
      (s) => ['name', 'stringify', 'parse'].every((k) => typeof (s as Record<string, unknown>)?.[k] === 'function'),
      'must have name(), stringify() and parse()',
    ),
  ),
  applicationName: v.optional(v.pipe(v.string(), v.minLength(1))),
  polling: v.optional(
    v.strictObject({
      minIntervalMs: v.optional(v.pipe(v.number(), v.minValue(1))),
      maxIntervalMs: v.optional(v.pipe(v.number(), v.minValue(1))),
      listeningIntervalMs: v.optional(v.pipe(v.number(), v.minValue(1))),
    }),
  ),
  schedulerApp: v.optional(SchedulerAppSchema),
  listen: v.optional(v.boolean()),
});

// ------------------------------------------------------------------ workflows

/** `enqueue` options: the TS SDK's `ClientEnqueueOptions` names; Python `EnqueueOptions` names in comments. */
export const EnqueueOptionsSchema = v.strictObject({
  /** Python `queue_name`. */
  queueName: id(),
  /** Python `workflow_name`: the name the worker registered the workflow under. */
  workflowName: id(),
  /** Python `class_name`. */
  workflowClassName: v.optional(text()),
  /** Python `instance_name`: the ConfiguredInstance name. */
  workflowConfigName: v.optional(text()),
  /** Python `workflow_id`. A random UUID when unset. */
  workflowID: v.optional(id()),
  /** What an enqueue with a workflow ID already in use does: return that workflow (default) or throw. */
  workflowIDReusePolicy: v.optional(v.picklist(['return-existing', 'reject'])),
  /** Python `app_version`. Unset: runs on the latest version of the application. */
  appVersion: v.optional(id()),
  /** Python `workflow_timeout` (seconds there, milliseconds here); counted from dequeue. */
  workflowTimeoutMS: v.optional(positiveInt()),
  /** Python `deduplication_id`. */
  deduplicationID: v.optional(id()),
  /** Python `duplication_policy`: on a deduplication conflict, throw (default) or return the existing workflow. */
  duplicationPolicy: v.optional(v.picklist(['reject', 'return-existing'])),
  /** Python `priority`. 0 is the highest; needs a queue with priority enabled. */
  priority: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(INT32_MAX))),
  /** Python `queue_partition_key`. */
  queuePartitionKey: v.optional(id()),
  /** Python `delay_seconds`: the workflow waits as DELAYED this long before it can be dequeued. */
  delaySeconds: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  /** Python `attributes`: a JSON object stored in JSONB, filterable in listWorkflows. */
  attributes: v.optional(jsonObject),
  /** Python `authenticated_user`. */
  authenticatedUser: v.optional(text()),
  /** Python `authenticated_roles`. */
  authenticatedRoles: v.optional(v.array(text())),
  /** Python `application_name`: the owning application; defaults to the client's. */
  applicationName: v.optional(id()),
  /** Python `serialization_type`. Default: the client's serializer if it has one, else portable. */
  serializationType: v.optional(serializationType),
  /**
   * Python `max_recovery_attempts`. DBOS keeps no column for it: the limit is a property of the workflow's
   * registration in the worker. Accepted only as undefined so ported code fails loudly instead of silently.
   */
  maxRecoveryAttempts: v.optional(
    v.custom<never>(
      () => false,
      'is not stored by DBOS; set maxRecoveryAttempts where the worker registers the workflow',
    ),
  ),
});

export const ListWorkflowsSchema = v.strictObject({
  workflowIDs: v.optional(v.array(id())),
  workflowName: v.optional(oneOrMany()),
  status: v.optional(v.union([statusSchema, v.array(statusSchema)])),
  /** Created at or after (Python `start_time`). */
  startTime: v.optional(instant()),
  /** Created at or before (Python `end_time`). */
  endTime: v.optional(instant()),
  completedAfter: v.optional(instant()),
  completedBefore: v.optional(instant()),
  dequeuedAfter: v.optional(instant()),
  dequeuedBefore: v.optional(instant()),
  /** Python `user`. */
  authenticatedUser: v.optional(oneOrMany()),
  /** Python `app_version`. */
  applicationVersion: v.optional(oneOrMany()),
  executorId: v.optional(oneOrMany()),
  /** Python `workflow_id_prefix` (the TS SDK also spells it that way; both are accepted). */
  workflowIDPrefix: v.optional(oneOrMany()),
  workflow_id_prefix: v.optional(oneOrMany()),
  queueName: v.optional(oneOrMany()),
  /** Only workflows on a queue and still ENQUEUED, DELAYED or PENDING. */
  queuesOnly: v.optional(v.boolean()),
  forkedFrom: v.optional(oneOrMany()),
  wasForkedFrom: v.optional(v.boolean()),
  isFork: v.optional(v.boolean()),
  parentWorkflowID: v.optional(oneOrMany()),
  hasParent: v.optional(v.boolean()),
  /** JSONB containment: workflows whose attributes include these key/values. */
  attributes: v.optional(jsonObject),
  scheduleName: v.optional(oneOrMany()),
  /** Owning application(s). Default: the client's application plus unclaimed rows (all rows for a nameless client). */
  applicationName: v.optional(oneOrMany()),
  limit: v.optional(positiveInt()),
  offset: v.optional(nonNegativeInt()),
  /** Newest first. Default false: oldest first, as in both SDKs. */
  sortDesc: v.optional(v.boolean()),
  /** Default true. */
  loadInput: v.optional(v.boolean()),
  /** Default true. */
  loadOutput: v.optional(v.boolean()),
});

export const ListStepsSchema = v.strictObject({
  limit: v.optional(positiveInt()),
  offset: v.optional(nonNegativeInt()),
});

/** `listWorkflowSteps` options: the page, and Python's `load_output` (false: `output` and `error` are null, unread). */
export const StepsOptionsSchema = v.strictObject({ ...ListStepsSchema.entries, loadOutput: v.optional(v.boolean()) });

export const ForkOptionsSchema = v.strictObject({
  /** ID of the new workflow (TS SDK `newWorkflowID`); a random UUID when unset. */
  newWorkflowID: v.optional(id()),
  /** Alias of `newWorkflowID`. */
  workflowID: v.optional(id()),
  /** Unset: the original's version (as the TS SDK does). */
  applicationVersion: v.optional(id()),
  timeoutMS: v.optional(positiveInt()),
  /** Default `_dbos_internal_queue`, which every DBOS app polls. */
  queueName: v.optional(id()),
  queuePartitionKey: v.optional(id()),
  /** Child workflow IDs to substitute in the copied step checkpoints. */
  replacementChildren: v.optional(v.record(v.string(), id())),
});

/** Stops a wait early: it rejects with the signal's reason. */
// The cast: Deno's lib types AbortSignal's constructor as `new(): never`, for which v.instance would infer never.
const signal = () => v.optional(v.instance(AbortSignal as unknown as new () => AbortSignal, 'must be an AbortSignal'));

/**
 * The TS SDK's `pollingIntervalMs`: accepted so SDK code runs unchanged. It sets nothing here: one shared poll serves
 * every waiter of a client, paced by the client's `polling` option (and woken by LISTEN where it can be).
 */
const sdkPollingInterval = () =>
  v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0, 'must be a positive finite number')));

export const WaitOptionsSchema = v.strictObject({
  /** Give up after this long with `DBOSWaitTimeoutError`; unset waits indefinitely. */
  timeoutMs: v.optional(positiveInt()),
  pollingIntervalMs: sdkPollingInterval(),
  signal: signal(),
});

export const ResumeOptionsSchema = v.strictObject({
  queueName: v.optional(id()),
});

export const CancelOptionsSchema = v.strictObject({
  /** Also cancel every descendant (by `parent_workflow_id`), level by level. */
  cancelChildren: v.optional(v.boolean()),
});

/** One message of `sendMany` (the same fields `send` takes as arguments). */
export const MessageSchema = v.strictObject({
  destinationID: id(),
  message: v.unknown(),
  /** Unset: DBOS's null topic, which `DBOS.recv()` without a topic reads. */
  topic: v.optional(id()),
  /** A retried send with the same key is delivered once (the message ID: see `message-id.ts`). */
  idempotencyKey: v.optional(id()),
  serializationType: v.optional(serializationType),
});

/** Messages per `sendMany` call: one statement, kept to a size Postgres and an HTTP driver take comfortably. */
export const MAX_MESSAGES = 1000;
export const MessagesSchema = v.pipe(
  v.array(MessageSchema),
  v.minLength(1, 'must hold at least one message'),
  v.maxLength(MAX_MESSAGES, `must hold at most ${MAX_MESSAGES} messages`),
);

export const SendOptionsSchema = v.strictObject({ serializationType: v.optional(serializationType) });

/** Seconds as the TS SDK counts them: finite and not negative. */
const seconds = () => v.pipe(v.number(), v.finite(), v.minValue(0, 'must not be negative'));

export const GetEventOptionsSchema = v.strictObject({
  /** How long to wait for the event to be set before returning null; 0 reads it once. Default 60 000 ms, as in DBOS. */
  timeoutMs: v.optional(nonNegativeInt()),
  /** The TS SDK's form of `timeoutMs`, in seconds (the number form `getEvent(id, key, 5)` means the same). */
  timeoutSeconds: v.optional(seconds()),
  /** The TS SDK's absolute deadline (epoch ms): wait until then; a past deadline reads the event once. */
  deadlineEpochMS: v.optional(v.pipe(v.number(), v.finite())),
  pollingIntervalMs: sdkPollingInterval(),
  signal: signal(),
});

export const ReadStreamOptionsSchema = v.strictObject({
  /** The first offset to read (0-based). Default 0. */
  offset: v.optional(v.pipe(nonNegativeInt(), v.maxValue(INT32_MAX))),
  /** Longest wait for each next value before `DBOSStreamTimeoutError`; unset waits as long as the workflow runs. */
  timeoutMs: v.optional(nonNegativeInt()),
  /** The TS SDK's form of `timeoutMs`, in seconds. */
  timeoutSeconds: v.optional(seconds()),
  pollingIntervalMs: sdkPollingInterval(),
  /** Ends the iteration early (it throws the signal's reason), e.g. when an HTTP client disconnects. */
  signal: signal(),
});

/** `readStreamOffset`'s options: those of `readStream` but the offset, which is an argument. */
export const ReadStreamOffsetOptionsSchema = v.omit(ReadStreamOptionsSchema, ['offset']);

const RULE_NAMES: Record<string, string> = { custom: 'unsupported' };

// ------------------------------------------------------------------ scale: pages, bulk, many

export const ListPageSchema = v.strictObject({
  ...ListWorkflowsSchema.entries,
  /** The `nextCursor` of the previous page; absent for the first page. Replaces `offset`. */
  cursor: v.optional(id()),
});

export const BulkOptionsSchema = v.strictObject({
  /** Workflows changed per statement (one transaction each). Default 1000. */
  batchSize: v.optional(v.pipe(positiveInt(), v.maxValue(10_000))),
  /** Called after each batch with the running total. */
  onProgress: v.optional(
    v.custom<(progress: { done: number; batch: number }) => void>((f) => typeof f === 'function', 'must be a function'),
  ),
  /** resume only: the queue to put them on (default DBOS's internal queue). */
  queueName: v.optional(id()),
});

/** Workflows per `enqueueMany` call: one statement, all or nothing. */
export const MAX_ENQUEUE_MANY = 5000;

/** One enqueue as data: `enqueueMany`'s item and the HTTP enqueue body. */
export const EnqueueItemSchema = v.strictObject({
  options: EnqueueOptionsSchema,
  /** Positional arguments (default none). */
  args: v.optional(v.array(v.unknown())),
  /** Named (Python keyword) arguments; portable serialization only. */
  namedArgs: v.optional(v.record(v.string(), v.unknown())),
});

/** `count` enqueues, or the list's own rule broken; `item` validates each (the client checks options per item). */
export const enqueueItemsSchema = <S extends v.GenericSchema>(item: S) =>
  v.pipe(
    v.array(item),
    v.minLength(1, 'must hold at least one item'),
    v.maxLength(MAX_ENQUEUE_MANY, `must hold at most ${MAX_ENQUEUE_MANY} items`),
  );

// ------------------------------------------------------------------ schedules

const scheduleSettings = {
  /** Also runs missed ticks when a DBOS app's scheduler starts (DBOS's own flag; the edge tick always catches up). */
  automaticBackfill: v.optional(v.boolean()),
  /** IANA timezone the cron expression is read in. Default UTC. Python `cron_timezone`. */
  cronTimezone: v.optional(id()),
  /** Queue the runs go to. Default DBOS's internal queue, which every DBOS app polls. */
  queueName: v.optional(id()),
};

export const ScheduleSchema = v.strictObject({
  scheduleName: id(),
  /** The name the worker registered the workflow under; it is called with `(scheduledDate, context)`. */
  workflowName: id(),
  workflowClassName: v.optional(text()),
  /** Cron: 5 fields, or 6 with seconds first, or a nickname such as `@daily`. */
  schedule: id(),
  context: v.optional(v.unknown()),
  ...scheduleSettings,
  /** The TS SDK's spelling of the three settings above. */
  options: v.optional(v.strictObject(scheduleSettings)),
  /** Owner of the schedule and its runs. Default: the client's application. */
  applicationName: v.optional(id()),
  /**
   * How the context is stored and the runs' arguments written. Unset: the format of the client's `schedulerApp`
   * (configured or detected). `native`: that app's own format (superjson for TypeScript, pickle for Python).
   * `portable`: plain JSON any language reads, fired by an app configured with portable JSON or by the tick.
   */
  serializationType: v.optional(serializationType),
});

export const MAX_SCHEDULES = 1000;
export const SchedulesSchema = v.pipe(
  v.array(ScheduleSchema),
  v.maxLength(MAX_SCHEDULES, `must hold at most ${MAX_SCHEDULES} schedules`),
);

export const ScheduleUpdateSchema = v.strictObject({
  schedule: v.optional(id()),
  context: v.optional(v.unknown()),
  automaticBackfill: v.optional(v.boolean()),
  /** null: back to UTC. */
  cronTimezone: v.optional(v.nullable(id())),
  /** null: back to DBOS's internal queue. */
  queueName: v.optional(v.nullable(id())),
  /** The format the new context is stored in. Default: the format the schedule's context has now. */
  serializationType: v.optional(serializationType),
});

export const ListSchedulesSchema = v.strictObject({
  status: v.optional(v.union([v.picklist(['ACTIVE', 'PAUSED']), v.array(v.picklist(['ACTIVE', 'PAUSED']))])),
  workflowName: v.optional(oneOrMany()),
  scheduleNamePrefix: v.optional(oneOrMany()),
  /** Owners to list (plus unclaimed schedules). Default: the client's application. */
  applicationName: v.optional(oneOrMany()),
  /** Most schedules to return (a page); unset: all. */
  limit: v.optional(positiveInt()),
  /** Only schedules named after this one (by name order): the last name of the previous page. */
  startAfter: v.optional(id()),
});

const scheduleIdFormat = v.picklist(['typescript', 'python']);

/** Ticks a single backfill may enqueue: a larger window is refused rather than flooding the queue. */
export const MAX_BACKFILL_TICKS = 10_000;

export const BackfillOptionsSchema = v.strictObject({
  /**
   * Workflow ID format of the runs: `typescript` (`sched-<name>-<ISO UTC>`, default) or `python`
   * (`sched-<name>-<isoformat in the cron timezone>`). Ticks already run under either format are skipped.
   */
  idFormat: v.optional(scheduleIdFormat),
});

export const TickOptionsSchema = v.strictObject({
  /** The tick's "now". Default: the current time. */
  now: v.optional(instant()),
  /** Most runs one schedule enqueues per tick; older due ticks beyond it are skipped. Default 100. */
  maxCatchUp: v.optional(v.pipe(positiveInt(), v.maxValue(MAX_BACKFILL_TICKS))),
  idFormat: v.optional(scheduleIdFormat),
});

/** `field.path`; an empty `field` validates a call's own arguments, named by their path alone. */
const qualify = (field: string, path: string | null | undefined) =>
  field && path ? `${field}.${path}` : field || path || '';

/** Validates `input` against `schema`, throwing one `ValidationError` that names every failing field and rule. */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown, field: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues: ValidationIssue[] = result.issues.map((issue) => {
    const path = v.getDotPath(issue);
    // A strict object reports unknown keys (expected "never"), missing required ones (received undefined), and a
    // value of another type where an object belongs.
    if ((issue.type === 'strict_object' || issue.type === 'object') && path) {
      if (issue.expected === 'never') {
        return { field: qualify(field, path), rule: 'unknown_field', message: 'is not a known option' };
      }
      if (issue.received === 'undefined') {
        return { field: qualify(field, path), rule: 'required', message: 'is required' };
      }
    }
    const rule =
      (issue.type === 'check' ? CHECK_RULES.get(issue.requirement) : undefined) ?? RULE_NAMES[issue.type] ?? issue.type;
    const message = issue.message;
    return { field: qualify(field, path), rule, message };
  });
  throw new ValidationError(issues);
}

/** Validates one identifier argument (workflow ID, key, name). */
export function validateId(value: unknown, field: string): string {
  return validate(id(), value, field);
}
