/**
 * Queue management (TS `registerQueue`, `retrieveQueue`, `deleteQueue`, `listQueues`; Python `register_queue` and
 * the rest) over the `queues` table that DBOS workers poll. A queue is owned by an application as DBOS owns it:
 * registering a name another application holds throws. The returned `WorkflowQueue`'s setters write through.
 */
import * as v from 'valibot';
import { DBOSConflictingOwnerError, DBOSEdgeError, DBOSNonExistentQueueError, ValidationError } from './errors.ts';
import type { QueueUpdate, RegisterQueueOptions } from './option-types.ts';
import { asList, id, validate, validateId } from './options.ts';
import type { ClientScope } from './scope.ts';
import { runOn, type SqlContext } from './sql/base.ts';
import {
  deleteQueueStatement,
  getQueueStatement,
  hasPartitionLimits,
  LIMIT_BOUNDS,
  listQueuesStatement,
  PARTITION_COLUMNS,
  type QueueColumn,
  type QueueColumns,
  type QueueRow,
  registerQueueStatement,
  updateQueueStatement,
} from './sql/queues.ts';

const INT32_MAX = 2_147_483_647;
/** DBOS reserves queue names with this prefix for its own queues. */
const RESERVED_PREFIX = '_dbos_';
/** Attempts of a registration that raced another one of the same new name. */
const REGISTER_ATTEMPTS = 5;

/** `{ limitPerPeriod, periodSec }`: at most that many workflows start per period. */
export interface QueueRateLimit {
  limitPerPeriod: number;
  periodSec: number;
}

const limit = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(INT32_MAX));
const RateLimitSchema = v.strictObject({
  limitPerPeriod: limit(1),
  periodSec: v.pipe(v.number(), v.finite(), v.gtValue(0, 'must be positive')),
});
const partitionLimit = (name: string) =>
  v.pipe(v.number(), v.integer(), v.minValue(1, `${name} must be at least 1`), v.maxValue(INT32_MAX));
const pollingInterval = () =>
  v.pipe(v.number(), v.finite(), v.gtValue(0, 'minPollingIntervalMs must be positive'), v.maxValue(86_400_000));

/** A queue's limits, named as the TS SDK's `QueueParameters`. */
const settings = {
  /** Running workflows of the queue at once, across every worker. */
  globalConcurrency: v.optional(limit(0)),
  /** The TS SDK's deprecated name of `globalConcurrency`. */
  concurrency: v.optional(limit(0)),
  /** Running workflows of the queue at once on one worker process. */
  workerConcurrency: v.optional(limit(0)),
  rateLimit: v.optional(RateLimitSchema),
  /** Any partition limit partitions the queue: every enqueue then needs a `queuePartitionKey`. Migration 108. */
  partitionConcurrency: v.optional(partitionLimit('partitionConcurrency')),
  partitionWorkerConcurrency: v.optional(partitionLimit('partitionWorkerConcurrency')),
  partitionRateLimit: v.optional(RateLimitSchema),
  /** How often workers poll this queue at most. Default 1000 ms. */
  minPollingIntervalMs: v.optional(pollingInterval()),
};

/** An option the TS SDK removed: refused with the SDK's reason, so ported code learns what to do instead. */
const removed = (reason: string) => v.optional(v.custom<never>(() => false, reason));

export const RegisterQueueSchema = v.strictObject({
  ...settings,
  /** What registering an existing name does: overwrite its settings (default) or keep them. */
  onConflict: v.optional(v.picklist(['always_update', 'never_update', 'update_if_latest_version'])),
  /** The owning application, which polls the queue. Default: the client's. */
  applicationName: v.optional(id()),
  priorityEnabled: removed('was removed: every queue dispatches in priority order, so the option can be deleted'),
  partitionQueue: removed(
    'was removed: set partitionConcurrency, partitionWorkerConcurrency, or partitionRateLimit instead, any of which partitions the queue',
  ),
});
export type { QueueUpdate, RegisterQueueOptions } from './option-types.ts';

/** Settings to change: a value sets it, null removes the limit. */
export const QueueUpdateSchema = v.strictObject({
  globalConcurrency: v.optional(v.nullable(limit(0))),
  workerConcurrency: v.optional(v.nullable(limit(0))),
  rateLimit: v.optional(v.nullable(RateLimitSchema)),
  partitionConcurrency: v.optional(v.nullable(partitionLimit('partitionConcurrency'))),
  partitionWorkerConcurrency: v.optional(v.nullable(partitionLimit('partitionWorkerConcurrency'))),
  partitionRateLimit: v.optional(v.nullable(RateLimitSchema)),
  minPollingIntervalMs: v.optional(pollingInterval()),
});

/** The option each column is set by, for messages naming the caller's field. */
const FIELD_OF: Record<QueueColumn, string> = {
  concurrency: 'globalConcurrency',
  worker_concurrency: 'workerConcurrency',
  rate_limit_max: 'rateLimit',
  rate_limit_period_sec: 'rateLimit',
  partition_concurrency: 'partitionConcurrency',
  partition_worker_concurrency: 'partitionWorkerConcurrency',
  partition_rate_limit_max: 'partitionRateLimit',
  partition_rate_limit_period_sec: 'partitionRateLimit',
  polling_interval_sec: 'minPollingIntervalMs',
};

/** The columns a settings object sets (undefined: leave; null: clear). */
function columnsOf(s: QueueUpdate): Partial<Record<QueueColumn, number | null>> {
  const columns: Partial<Record<QueueColumn, number | null>> = {};
  const set = (column: QueueColumn, value: number | null | undefined) => {
    if (value !== undefined) columns[column] = value;
  };
  set('concurrency', s.globalConcurrency);
  set('worker_concurrency', s.workerConcurrency);
  set('rate_limit_max', s.rateLimit === undefined ? undefined : (s.rateLimit?.limitPerPeriod ?? null));
  set('rate_limit_period_sec', s.rateLimit === undefined ? undefined : (s.rateLimit?.periodSec ?? null));
  set('partition_concurrency', s.partitionConcurrency);
  set('partition_worker_concurrency', s.partitionWorkerConcurrency);
  set(
    'partition_rate_limit_max',
    s.partitionRateLimit === undefined ? undefined : (s.partitionRateLimit?.limitPerPeriod ?? null),
  );
  set(
    'partition_rate_limit_period_sec',
    s.partitionRateLimit === undefined ? undefined : (s.partitionRateLimit?.periodSec ?? null),
  );
  set('polling_interval_sec', s.minPollingIntervalMs === undefined ? undefined : s.minPollingIntervalMs / 1000);
  return columns;
}

/** The first limit bound the settings break, as a validation issue in the TS SDK's words. */
function brokenBound(row: Partial<QueueColumns>, prefix: string): ValidationError | undefined {
  for (const [low, high] of LIMIT_BOUNDS) {
    const lower = row[low];
    const upper = row[high];
    if (lower != null && upper != null && lower > upper) {
      return new ValidationError([
        {
          field: `${prefix}${FIELD_OF[low]}`,
          rule: 'bounds',
          message: `${FIELD_OF[low]} must be less than or equal to ${FIELD_OF[high]}`,
        },
      ]);
    }
  }
  return undefined;
}

/** Partition limits on a schema without their columns: refused, naming the field, rather than dropped. */
function requirePartitionColumns(ctx: SqlContext, columns: Partial<Record<QueueColumn, unknown>>, prefix: string) {
  if (hasPartitionLimits(ctx)) return;
  const given = PARTITION_COLUMNS.find((c) => columns[c] !== undefined && columns[c] !== null);
  if (given === undefined) return;
  throw new ValidationError([
    {
      field: `${prefix}${FIELD_OF[given]}`,
      rule: 'schema_version',
      message: `needs a system schema at migration 108 or later; this one is at ${ctx.features.version}`,
    },
  ]);
}

/** What a `WorkflowQueue` asks of its client. */
interface QueueBackend {
  get(name: string): Promise<QueueRow | null>;
  update(name: string, changes: QueueUpdate): Promise<QueueRow>;
}

const rateLimitOf = (max: number | null, periodSec: number | null): QueueRateLimit | undefined =>
  max !== null && periodSec !== null ? { limitPerPeriod: max, periodSec } : undefined;

/**
 * A database-backed queue, shaped as the TS SDK's `WorkflowQueue`: its fields are the values last read; each setter
 * writes through (one statement, checked against the limits stored now) and each getter reads the row again.
 */
export class WorkflowQueue {
  readonly name: string;
  /** The queue-wide limit (`globalConcurrency`), across every worker and partition. */
  concurrency?: number;
  workerConcurrency?: number;
  rateLimit?: QueueRateLimit;
  partitionConcurrency?: number;
  partitionWorkerConcurrency?: number;
  partitionRateLimit?: QueueRateLimit;
  minPollingIntervalMs?: number;
  /** The owning application; undefined for an unclaimed queue. */
  applicationName?: string;
  /** Always true: the configuration lives in the `queues` table. */
  readonly databaseBacked = true;
  /** Always true: reads and writes go through the client that returned it. */
  readonly clientBound = true;
  readonly #backend: QueueBackend;

  constructor(backend: QueueBackend, row: QueueRow) {
    this.#backend = backend;
    this.name = row.name;
    this.#apply(row);
  }

  #apply(row: QueueRow): void {
    this.concurrency = row.concurrency ?? undefined;
    this.workerConcurrency = row.worker_concurrency ?? undefined;
    this.rateLimit = rateLimitOf(row.rate_limit_max, row.rate_limit_period_sec);
    this.partitionConcurrency = row.partition_concurrency ?? undefined;
    this.partitionWorkerConcurrency = row.partition_worker_concurrency ?? undefined;
    this.partitionRateLimit = rateLimitOf(row.partition_rate_limit_max, row.partition_rate_limit_period_sec);
    this.minPollingIntervalMs = row.polling_interval_sec * 1000;
    this.applicationName = row.application_name ?? undefined;
  }

  /** Changes several settings in one statement (null removes a limit); the fields then hold what was stored. */
  async update(changes: QueueUpdate): Promise<void> {
    this.#apply(await this.#backend.update(this.name, changes));
  }

  async #refresh(): Promise<void> {
    const row = await this.#backend.get(this.name);
    if (row === null) throw new DBOSNonExistentQueueError(this.name);
    this.#apply(row);
  }

  /** @deprecated The TS SDK's old name of `setGlobalConcurrency`. */
  setConcurrency(value: number | undefined): Promise<void> {
    return this.setGlobalConcurrency(value);
  }
  setGlobalConcurrency(value: number | undefined): Promise<void> {
    return this.update({ globalConcurrency: value ?? null });
  }
  setWorkerConcurrency(value: number | undefined): Promise<void> {
    return this.update({ workerConcurrency: value ?? null });
  }
  setRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    return this.update({ rateLimit: value ?? null });
  }
  setPartitionConcurrency(value: number | undefined): Promise<void> {
    return this.update({ partitionConcurrency: value ?? null });
  }
  setPartitionWorkerConcurrency(value: number | undefined): Promise<void> {
    return this.update({ partitionWorkerConcurrency: value ?? null });
  }
  setPartitionRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    return this.update({ partitionRateLimit: value ?? null });
  }
  setMinPollingIntervalMs(value: number): Promise<void> {
    return this.update({ minPollingIntervalMs: value });
  }

  /** @deprecated The TS SDK's old name of `getGlobalConcurrency`. */
  getConcurrency(): Promise<number | undefined> {
    return this.getGlobalConcurrency();
  }
  async getGlobalConcurrency(): Promise<number | undefined> {
    await this.#refresh();
    return this.concurrency;
  }
  async getWorkerConcurrency(): Promise<number | undefined> {
    await this.#refresh();
    return this.workerConcurrency;
  }
  async getRateLimit(): Promise<QueueRateLimit | undefined> {
    await this.#refresh();
    return this.rateLimit;
  }
  async getPartitionConcurrency(): Promise<number | undefined> {
    await this.#refresh();
    return this.partitionConcurrency;
  }
  async getPartitionWorkerConcurrency(): Promise<number | undefined> {
    await this.#refresh();
    return this.partitionWorkerConcurrency;
  }
  async getPartitionRateLimit(): Promise<QueueRateLimit | undefined> {
    await this.#refresh();
    return this.partitionRateLimit;
  }
  async getMinPollingIntervalMs(): Promise<number | undefined> {
    await this.#refresh();
    return this.minPollingIntervalMs;
  }
}

export class Queues {
  readonly #scope: ClientScope;
  readonly #backend: QueueBackend = {
    get: (name) => this.#get(name),
    update: (name, changes) => this.#update(name, changes),
  };

  constructor(scope: ClientScope) {
    this.#scope = scope;
  }

  async register(name: string, options: RegisterQueueOptions | undefined): Promise<WorkflowQueue> {
    const queueName = validateId(name, 'name');
    if (queueName.startsWith(RESERVED_PREFIX)) {
      throw new ValidationError([
        {
          field: 'name',
          rule: 'reserved',
          message: `Queue name ${queueName} is reserved: names starting with '${RESERVED_PREFIX}' belong to DBOS's internal queues.`,
        },
      ]);
    }
    const o = validate(RegisterQueueSchema, options ?? {}, 'options');
    if (o.onConflict === 'update_if_latest_version') {
      throw new ValidationError([
        {
          field: 'options.onConflict',
          rule: 'client',
          message:
            "DBOSClient.registerQueue does not support onConflict='update_if_latest_version' because clients are not associated with an application version. Use 'always_update' or 'never_update'.",
        },
      ]);
    }
    if (o.concurrency !== undefined && o.globalConcurrency !== undefined) {
      throw new ValidationError([
        {
          field: 'options.concurrency',
          rule: 'exclusive',
          message: 'concurrency is deprecated in favor of globalConcurrency; set only one of them',
        },
      ]);
    }
    const given = columnsOf({ ...o, globalConcurrency: o.globalConcurrency ?? o.concurrency });
    const columns: QueueColumns = {
      concurrency: null,
      worker_concurrency: null,
      rate_limit_max: null,
      rate_limit_period_sec: null,
      partition_concurrency: null,
      partition_worker_concurrency: null,
      partition_rate_limit_max: null,
      partition_rate_limit_period_sec: null,
      polling_interval_sec: 1,
      // columnsOf never clears the polling interval (it is not nullable), so `given` fits the columns' types.
      ...(given as Partial<QueueColumns>),
    };
    const broken = brokenBound(columns, 'options.');
    if (broken) throw broken;
    const owner = o.applicationName ?? this.#scope.applicationName ?? null;
    for (let attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
      const [row] = await runOn(this.#scope.connect, (ctx) => {
        requirePartitionColumns(ctx, columns, 'options.');
        return registerQueueStatement(ctx, queueName, columns, owner, o.onConflict !== 'never_update');
      });
      if (row === undefined) continue; // a registration of the same new name committed after our snapshot
      if (owner !== null && row.application_name !== null && row.application_name !== owner) {
        throw new DBOSConflictingOwnerError('Queue', queueName, row.application_name, owner);
      }
      return new WorkflowQueue(this.#backend, row);
    }
    throw new DBOSEdgeError(
      'ENQUEUE_CONTENDED',
      `Registering queue ${queueName} kept racing a concurrent writer; try again`,
    );
  }

  async retrieve(name: string): Promise<WorkflowQueue | null> {
    const row = await this.#get(validateId(name, 'name'));
    return row === null ? null : new WorkflowQueue(this.#backend, row);
  }

  async delete(name: string): Promise<void> {
    const queueName = validateId(name, 'name');
    await runOn(this.#scope.connect, (ctx) => deleteQueueStatement(ctx, queueName));
  }

  /** Queues owned by these applications plus unclaimed ones; by default the client's (all, for a nameless client). */
  async list(applicationName: string | string[] | undefined): Promise<WorkflowQueue[]> {
    const given = validate(v.optional(v.union([id(), v.array(id())])), applicationName, 'applicationName');
    const scope = asList(given) ?? asList(this.#scope.applicationName);
    const rows = await runOn(this.#scope.connect, (ctx) => listQueuesStatement(ctx, scope));
    return rows.map((row) => new WorkflowQueue(this.#backend, row));
  }

  async #get(name: string): Promise<QueueRow | null> {
    const [row] = await runOn(this.#scope.connect, (ctx) => getQueueStatement(ctx, name));
    return row ?? null;
  }

  async #update(name: string, changes: QueueUpdate): Promise<QueueRow> {
    const columns = columnsOf(validate(QueueUpdateSchema, changes, 'changes'));
    const [row] = await runOn(this.#scope.connect, (ctx) => {
      requirePartitionColumns(ctx, columns, 'changes.');
      return updateQueueStatement(ctx, name, columns);
    });
    if (row === undefined) throw new DBOSNonExistentQueueError(name);
    if (!row.updated)
      throw brokenBound(row, 'changes.') ?? new DBOSEdgeError('CORRUPT_ROW', `Queue ${name} was not updated`);
    return row;
  }
}
