/**
 * `DBOSClient`: the whole Python `DBOSClient` surface in TypeScript idiom, with the names of
 * `@dbos-inc/dbos-sdk`'s own client. It reads and writes the DBOS system database directly, so a real
 * DBOS application executes what it enqueues. Construction does no I/O: the driver connects and the schema's
 * features are read on the first call, so a client is safe at module scope on the edge.
 */
import * as v from 'valibot';
import { Communication } from './communication.ts';
import { resolveDriver } from './connect.ts';
import type { Driver, Row } from './driver.ts';
import { Enqueuer } from './enqueue.ts';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSConflictingWorkflowError,
  DBOSEdgeError,
  DBOSNonExistentWorkflowError,
  DBOSWaitTimeoutError,
  ValidationError,
} from './errors.ts';
import { WorkflowHandle } from './handle.ts';
import { Listeners } from './listen.ts';
import {
  type BackfillOptions,
  type BulkOptions,
  BulkOptionsSchema,
  type CancelOptions,
  CancelOptionsSchema,
  type EnqueueItem,
  type EnqueueOptions,
  type ForkOptions,
  ForkOptionsSchema,
  type GetEventOptions,
  type ListPageInput,
  ListPageSchema,
  type ListSchedulesInput,
  type ListStepsOptions,
  type ListWorkflowsInput,
  ListWorkflowsSchema,
  type Message,
  type ReadStreamOptions,
  type ResumeOptions,
  ResumeOptionsSchema,
  type ScheduleInput,
  type ScheduleUpdate,
  type SendOptions,
  type TickOptions,
  validate,
  validateId,
  type WaitOptions,
  WaitOptionsSchema,
} from './options.ts';
import { decodeError, Reader, type WorkflowPage } from './reader.ts';
import { Schedules, type TickReport, type WorkflowSchedule } from './schedules.ts';
import { detectSchemaCached } from './schema/detect.ts';
import { quoteIdent, validateSchemaName } from './schema/name.ts';
import { Codec, type Serializer } from './serialization.ts';
import {
  type BulkAction,
  bulkStatement,
  cancelStatement,
  finishedStatement,
  forkStatement,
  type Query,
  resumeStatement,
  runOn,
  type SqlContext,
} from './sql/workflows.ts';
import { num, type StepInfo, type WorkflowStatus } from './status.ts';
import { type PollingOptions, Watcher } from './wait.ts';

export interface DBOSClientConfig {
  /** Python `system_database_url`. Falls back to one derived from `applicationDatabaseUrl`. */
  systemDatabaseUrl?: string;
  /** Python `application_database_url`: the system database is its database name plus `_dbos_sys`. */
  applicationDatabaseUrl?: string;
  /** Python `system_database_engine`: a ready driver (any adapter, or your own); URLs are then ignored. */
  driver?: Driver;
  /** Python `dbos_system_schema`. Default `dbos`. */
  systemDatabaseSchemaName?: string;
  /** Python `serializer`: a custom format, used by default for writes and to read rows carrying its name. */
  serializer?: Serializer;
  /** The application this client acts for: owner of what it enqueues, and the default scope of listings. */
  applicationName?: string;
  /** How waits poll (see `wait.ts`): for results always, for events and streams as LISTEN's safety net. */
  polling?: PollingOptions;
  /**
   * Wake event and stream readers with LISTEN/NOTIFY when the driver can (default true). Turn it off behind a
   * transaction-mode pooler, which does not deliver notifications; waits then poll.
   */
  listen?: boolean;
}

const ConfigSchema = v.strictObject({
  systemDatabaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  applicationDatabaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  driver: v.optional(
    v.custom<Driver>((d) => typeof (d as Driver)?.query === 'function', 'must implement the Driver interface'),
  ),
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
  listen: v.optional(v.boolean()),
});

export class DBOSClient implements AsyncDisposable {
  readonly #schema: string;
  readonly #quotedSchema: string;
  readonly #applicationName: string | undefined;
  readonly #codec: Codec;
  readonly #openDriver: () => Promise<Driver>;
  readonly #ownsDriver: boolean;
  readonly #watcher: Watcher<{ key: string }>;
  readonly #listeners: Listeners;
  readonly #communication: Communication;
  readonly #schedules: Schedules;
  readonly #enqueuer: Enqueuer;
  readonly #reader: Reader;
  #ready: Promise<{ driver: Driver; ctx: SqlContext }> | undefined;
  #destroyed = false;

  constructor(config: DBOSClientConfig) {
    const c = validate(ConfigSchema, config, 'config');
    this.#schema = validateSchemaName(c.systemDatabaseSchemaName ?? 'dbos');
    this.#quotedSchema = quoteIdent(this.#schema);
    this.#applicationName = c.applicationName;
    this.#codec = new Codec(c.serializer);
    this.#openDriver = resolveDriver(c);
    this.#ownsDriver = c.driver === undefined;
    // DBOS announces no completion, so results are polled (one shared query for all of this client's waiters).
    this.#watcher = new Watcher(async (items) => {
      const ids = items.map((i) => i.key);
      const rows = await this.#sql((ctx) => finishedStatement(ctx, ids));
      return new Map(rows.map((r) => [String(r.workflow_uuid), r]));
    }, c.polling);
    const driver = async () => (await this.#connect()).driver;
    this.#listeners = new Listeners(driver, c.listen ?? true);
    this.#communication = new Communication(() => this.#connect(), this.#codec, c.polling, this.#listeners);
    this.#schedules = new Schedules(() => this.#connect(), this.#codec, c.applicationName);
    this.#enqueuer = new Enqueuer(() => this.#connect(), this.#codec, c.applicationName);
    this.#reader = new Reader(() => this.#connect(), this.#codec, c.applicationName);
  }

  /** Same as `new DBOSClient(config)`; async for parity with `@dbos-inc/dbos-sdk`. No I/O happens here. */
  static async create(config: DBOSClientConfig): Promise<DBOSClient> {
    return new DBOSClient(config);
  }

  get applicationName(): string | undefined {
    return this.#applicationName;
  }

  /** Opens the driver and reads the schema's features, once. A failure is not cached, so the next call retries. */
  #connect(): Promise<{ driver: Driver; ctx: SqlContext }> {
    if (this.#destroyed) return Promise.reject(new DBOSEdgeError('CLIENT_DESTROYED', 'The client has been destroyed'));
    this.#ready ??= (async () => {
      const driver = await this.#openDriver();
      const features = await detectSchemaCached(driver, this.#quotedSchema, this.#schema);
      return { driver, ctx: { s: this.#quotedSchema, features } };
    })().catch((e) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  #sql(build: (ctx: SqlContext) => Query): Promise<Row[]> {
    return runOn(() => this.#connect(), build);
  }

  // ---------------------------------------------------------------- enqueue

  /**
   * Python `enqueue(options, *args)`: queues `workflowName` with positional `args` and returns its handle.
   * Serialized as portable JSON unless `serializationType: 'native'` or the client's own serializer says otherwise.
   */
  async enqueue<R = unknown>(options: EnqueueOptions, ...args: unknown[]): Promise<WorkflowHandle<R>> {
    return this.#enqueue<R>(options, args, undefined);
  }

  /** Enqueues with portable JSON and optional named arguments (Python keyword arguments). */
  async enqueuePortable<R = unknown>(
    options: EnqueueOptions,
    positionalArgs: readonly unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<R>> {
    if (!Array.isArray(positionalArgs)) {
      throw new ValidationError([{ field: 'positionalArgs', rule: 'array', message: 'must be an array' }]);
    }
    if (options?.serializationType === 'native') {
      throw new ValidationError([
        {
          field: 'options.serializationType',
          rule: 'portable_only',
          message: 'enqueuePortable always writes portable JSON',
        },
      ]);
    }
    return this.#enqueue<R>({ ...options, serializationType: 'portable' }, positionalArgs, namedArgs);
  }

  async #enqueue<R>(
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<WorkflowHandle<R>> {
    return new WorkflowHandle<R>(this.#backend, await this.#enqueuer.enqueue(options, args, namedArgs));
  }

  /**
   * Enqueues many workflows in one statement (no DBOS client has it): all rows are written, or none if the
   * statement fails. Each item gets its own result: a handle, or the typed error of its own outcome (deduplicated,
   * conflicting ID), which does not stop the others. Items must not repeat a workflow ID. Up to 5000 items.
   */
  async enqueueMany<R = unknown>(items: readonly EnqueueItem[]): Promise<EnqueueResult<R>[]> {
    return (await this.#enqueuer.enqueueMany(items)).map((r) =>
      r.ok ? { ok: true, handle: new WorkflowHandle<R>(this.#backend, r.workflowID) } : r,
    );
  }

  // ---------------------------------------------------------------- handles and results

  /** A handle on an existing workflow. No I/O: `getStatus()` returns null if it does not exist. */
  retrieveWorkflow<R = unknown>(workflowID: string): WorkflowHandle<R> {
    return new WorkflowHandle<R>(this.#backend, validateId(workflowID, 'workflowID'));
  }

  /** The workflow's status with inputs and outputs, or undefined if there is no such workflow. */
  async getWorkflow(workflowID: string): Promise<WorkflowStatus | undefined> {
    return this.#reader.getWorkflow(workflowID);
  }

  readonly #backend = {
    getWorkflow: (id: string) => this.getWorkflow(id),
    awaitResult: (id: string, options?: WaitOptions) => this.#awaitResult(id, options),
  };

  async #awaitResult(workflowID: string, options?: WaitOptions): Promise<unknown> {
    const o = validate(WaitOptionsSchema, options ?? {}, 'options');
    const { row } = await this.#watcher.wait([{ key: workflowID }], this.#waitOptions([workflowID], o));
    return this.#outcome(row);
  }

  /** The finished row's output, or its failure as the typed error. */
  async #outcome(row: Row): Promise<unknown> {
    const id = String(row.workflow_uuid);
    const serialization = row.serialization as string | null;
    switch (row.status) {
      case 'SUCCESS':
        return this.#codec.decode(row.output as string | null, serialization, `the output of workflow ${id}`);
      case 'ERROR':
        throw await decodeError(this.#codec, id, row.error, serialization, `the error of workflow ${id}`);
      case 'CANCELLED':
        throw new DBOSAwaitedWorkflowCancelledError(id);
      case 'MAX_RECOVERY_ATTEMPTS_EXCEEDED':
        throw new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(id);
      default:
        throw new DBOSEdgeError('UNKNOWN_STATUS', `Workflow ${id} finished with unknown status ${String(row.status)}`);
    }
  }

  /**
   * Python `wait_first`: waits until one of the workflows finishes (any terminal status) and returns its handle.
   * Every waiter of the client shares one poll.
   */
  async waitFirst<R = unknown>(
    workflows: readonly (WorkflowHandle<R> | string)[],
    options?: WaitOptions,
  ): Promise<WorkflowHandle<R>> {
    if (!Array.isArray(workflows) || workflows.length === 0) {
      throw new ValidationError([
        { field: 'workflows', rule: 'min_length', message: 'must list at least one workflow' },
      ]);
    }
    const ids = workflows.map((w, i) => validateId(typeof w === 'string' ? w : w?.workflowID, `workflows[${i}]`));
    const o = validate(WaitOptionsSchema, options ?? {}, 'options');
    const { item } = await this.#watcher.wait(
      ids.map((key) => ({ key })),
      this.#waitOptions(ids, o),
    );
    return new WorkflowHandle<R>(this.#backend, item.key);
  }

  #waitOptions(ids: readonly string[], { timeoutMs, signal }: { timeoutMs?: number; signal?: AbortSignal }) {
    return { timeoutMs, signal, onTimeout: () => new DBOSWaitTimeoutError(ids, timeoutMs ?? 0) };
  }

  // ---------------------------------------------------------------- messages, events, streams

  /**
   * Python `send(destination_id, message, topic=None, idempotency_key=None)`: delivers a message to the
   * workflow's `DBOS.recv(topic)`. With an idempotency key, retries deliver it once. Portable JSON by default.
   */
  async send(
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
    options?: SendOptions,
  ): Promise<void> {
    await this.#communication.send(destinationID, message, topic, idempotencyKey, options);
  }

  /** Sends many messages in one round trip, all or none. No DBOS client has it. */
  async sendMany(messages: readonly Message[], options?: SendOptions): Promise<void> {
    await this.#communication.sendMany(messages, options);
  }

  /** Python `get_event(workflow_id, key, timeout_seconds=60)`: the event's value, or null at the timeout. */
  async getEvent<T = unknown>(workflowID: string, key: string, options?: GetEventOptions): Promise<T | null> {
    return this.#communication.getEvent<T>(workflowID, key, options);
  }

  /** Python `read_stream(workflow_id, key)`: the stream's values in order, as an async iterable. */
  readStream<T = unknown>(workflowID: string, key: string, options?: ReadStreamOptions): AsyncGenerator<T> {
    return this.#communication.readStream<T>(workflowID, key, options);
  }

  // ---------------------------------------------------------------- schedules

  /** Python `create_schedule`. Cron is validated (croner) before anything is written. */
  async createSchedule(schedule: ScheduleInput): Promise<void> {
    await this.#schedules.createSchedule(schedule);
  }

  /** Python `apply_schedules`: creates or redefines them all in one statement. */
  async applySchedules(schedules: readonly ScheduleInput[]): Promise<void> {
    await this.#schedules.applySchedules(schedules);
  }

  /** Python `list_schedules`. */
  async listSchedules(filter?: ListSchedulesInput): Promise<WorkflowSchedule[]> {
    return this.#schedules.listSchedules(filter);
  }

  /** Python `get_schedule`: the schedule or null. */
  async getSchedule(name: string): Promise<WorkflowSchedule | null> {
    return this.#schedules.getSchedule(name);
  }

  /** Python `delete_schedule`. */
  async deleteSchedule(name: string): Promise<void> {
    await this.#schedules.deleteSchedule(name);
  }

  /** Python `pause_schedule`. */
  async pauseSchedule(name: string): Promise<void> {
    await this.#schedules.pauseSchedule(name);
  }

  /** Python `resume_schedule`. */
  async resumeSchedule(name: string): Promise<void> {
    await this.#schedules.resumeSchedule(name);
  }

  /** TS `updateSchedule`. */
  async updateSchedule(name: string, changes: ScheduleUpdate): Promise<void> {
    await this.#schedules.updateSchedule(name, changes);
  }

  /** Python `trigger_schedule`: runs the schedule's workflow now and returns its handle. */
  async triggerSchedule<R = unknown>(name: string, options?: BackfillOptions): Promise<WorkflowHandle<R>> {
    return new WorkflowHandle<R>(this.#backend, await this.#schedules.triggerSchedule(name, options));
  }

  /** Python `backfill_schedule`: every tick strictly between `start` and `end`, each run once; their handles. */
  async backfillSchedule<R = unknown>(
    name: string,
    start: Date,
    end: Date,
    options?: BackfillOptions,
  ): Promise<WorkflowHandle<R>[]> {
    const runs = await this.#schedules.backfillSchedule(name, start, end, options);
    return runs.map((r) => new WorkflowHandle<R>(this.#backend, r.workflowID));
  }

  /**
   * Fires every due schedule in this client's scope once: call it from an edge cron trigger (Cloudflare
   * `scheduled`, `Deno.cron`, any cron). Safe to run concurrently; reports what it did per schedule.
   */
  async runScheduleTick(options?: TickOptions): Promise<TickReport> {
    return this.#schedules.runScheduleTick(options);
  }

  // ---------------------------------------------------------------- management

  /** Python `cancel_workflow`: stops a workflow that has not finished; it ends CANCELLED. */
  async cancelWorkflow(workflowID: string, options?: CancelOptions): Promise<void> {
    await this.cancelWorkflows([workflowID], options);
  }

  /** Cancels several workflows in one statement; all or none (every ID must exist). */
  async cancelWorkflows(workflowIDs: readonly string[], options?: CancelOptions): Promise<void>;
  /** Cancels every unfinished workflow matching the filter, in batches; safe to re-run. */
  async cancelWorkflows(target: { filter: ListWorkflowsInput }, options?: BulkOptions): Promise<BulkResult>;
  async cancelWorkflows(
    target: readonly string[] | { filter: ListWorkflowsInput },
    options?: CancelOptions | BulkOptions,
  ): Promise<unknown> {
    if (!Array.isArray(target)) return this.#bulk('cancel', target as { filter: ListWorkflowsInput }, options);
    const ids = this.#ids(target as readonly string[]);
    const o = validate(CancelOptionsSchema, options ?? {}, 'options');
    const rows = await this.#sql((ctx) => cancelStatement(ctx, ids, o.cancelChildren ?? false));
    this.#requireAll(ids, rows);
  }

  /** Python `resume_workflow`: re-enqueues a cancelled (or stuck) workflow under the same ID; steps already done are replayed. */
  async resumeWorkflow<R = unknown>(workflowID: string, options?: ResumeOptions): Promise<WorkflowHandle<R>> {
    const [handle] = await this.resumeWorkflows<R>([workflowID], options);
    return handle as WorkflowHandle<R>;
  }

  async resumeWorkflows<R = unknown>(
    workflowIDs: readonly string[],
    options?: ResumeOptions,
  ): Promise<WorkflowHandle<R>[]>;
  /** Resumes every CANCELLED or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow matching the filter, in batches; safe to re-run. */
  async resumeWorkflows(target: { filter: ListWorkflowsInput }, options?: BulkOptions): Promise<BulkResult>;
  async resumeWorkflows<R = unknown>(
    target: readonly string[] | { filter: ListWorkflowsInput },
    options?: ResumeOptions | BulkOptions,
  ): Promise<WorkflowHandle<R>[] | BulkResult> {
    if (!Array.isArray(target)) return this.#bulk('resume', target as { filter: ListWorkflowsInput }, options);
    const ids = this.#ids(target as readonly string[]);
    const o = validate(ResumeOptionsSchema, options ?? {}, 'options');
    const rows = await this.#sql((ctx) => resumeStatement(ctx, ids, o.queueName));
    this.#requireAll(ids, rows);
    return ids.map((id) => new WorkflowHandle<R>(this.#backend, id));
  }

  /**
   * Python `fork_workflow`: starts a new workflow with the original's inputs, reusing the checkpoints of every step
   * before `startStep` (TS workers number steps from 0, Python workers from 1). Returns the new workflow's handle.
   */
  async forkWorkflow<R = unknown>(
    workflowID: string,
    startStep: number,
    options?: ForkOptions,
  ): Promise<WorkflowHandle<R>> {
    validateId(workflowID, 'workflowID');
    validate(v.pipe(v.number(), v.integer(), v.minValue(0)), startStep, 'startStep');
    const o = validate(ForkOptionsSchema, options ?? {}, 'options');
    if (o.newWorkflowID && o.workflowID && o.newWorkflowID !== o.workflowID) {
      throw new ValidationError([
        { field: 'options.workflowID', rule: 'conflict', message: 'differs from options.newWorkflowID; give one' },
      ]);
    }
    const newID = o.newWorkflowID ?? o.workflowID ?? crypto.randomUUID();
    const [row] = await this.#sql((ctx) =>
      forkStatement(ctx, {
        originalID: workflowID,
        newID,
        startStep,
        applicationVersion: o.applicationVersion ?? null,
        timeoutMs: o.timeoutMS ?? null,
        queueName: o.queueName ?? null,
        partitionKey: o.queuePartitionKey ?? null,
        replacementChildren: o.replacementChildren ? JSON.stringify(o.replacementChildren) : null,
        applicationName: this.#applicationName ?? null,
      }),
    );
    if (num(row?.found) === 0) throw new DBOSNonExistentWorkflowError(workflowID);
    if (num(row?.inserted) === 0)
      throw new DBOSConflictingWorkflowError(newID, 'a workflow with this ID already exists');
    return new WorkflowHandle<R>(this.#backend, newID);
  }

  // ---------------------------------------------------------------- listing

  /** Python `list_workflows`: every filter of both SDKs; oldest first unless `sortDesc`. */
  async listWorkflows(input: ListWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return this.#reader.list(validate(ListWorkflowsSchema, input, 'input'), false);
  }

  /** Python `list_queued_workflows`: workflows on a queue that have not finished (or of the statuses asked for). */
  async listQueuedWorkflows(input: ListWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return this.#reader.list(validate(ListWorkflowsSchema, input, 'input'), true);
  }

  /**
   * `listWorkflows` by keyset: a page of `limit` (default 100) and the cursor of the next one (absent on the last
   * page). Unlike `offset`, a deep page costs what the first does, and pages never skip or repeat a workflow while
   * others are being enqueued.
   */
  async listWorkflowsPage(input: ListPageInput = {}): Promise<WorkflowPage> {
    return this.#reader.page(validate(ListPageSchema, input, 'input'), false);
  }

  /** `listQueuedWorkflows` by keyset, as `listWorkflowsPage`. */
  async listQueuedWorkflowsPage(input: ListPageInput = {}): Promise<WorkflowPage> {
    return this.#reader.page(validate(ListPageSchema, input, 'input'), true);
  }

  /** Python `list_workflow_steps`: the workflow's checkpointed steps in order, or undefined if it does not exist. */
  async listWorkflowSteps(workflowID: string, options?: ListStepsOptions): Promise<StepInfo[] | undefined> {
    return this.#reader.steps(workflowID, options);
  }

  #ids(workflowIDs: readonly string[]): string[] {
    if (!Array.isArray(workflowIDs) || workflowIDs.length === 0) {
      throw new ValidationError([{ field: 'workflowIDs', rule: 'min_length', message: 'must list at least one ID' }]);
    }
    return [...new Set(workflowIDs.map((id, i) => validateId(id, `workflowIDs[${i}]`)))];
  }

  /**
   * Deletes every finished workflow matching the filter (status, steps, payloads; messages, events and streams
   * cascade), in batches; safe to re-run. Unfinished workflows are never deleted: cancel them first.
   */
  async deleteWorkflows(target: { filter: ListWorkflowsInput }, options?: BulkOptions): Promise<BulkResult> {
    return this.#bulk('delete', target, options);
  }

  async #bulk(action: BulkAction, target: { filter: ListWorkflowsInput }, options: unknown): Promise<BulkResult> {
    const f = validate(v.strictObject({ filter: ListWorkflowsSchema }), target, 'target').filter;
    const o = validate(BulkOptionsSchema, options ?? {}, 'options');
    if (f.limit !== undefined || f.offset !== undefined) {
      throw new ValidationError([
        { field: 'target.filter.limit', rule: 'bulk', message: 'a bulk action takes every match; use batchSize' },
      ]);
    }
    if (o.queueName !== undefined && action !== 'resume') {
      throw new ValidationError([
        { field: 'options.queueName', rule: 'resume_only', message: 'applies to resume only' },
      ]);
    }
    const filter = this.#reader.filter(f, false);
    let done = 0;
    for (;;) {
      const rows = await this.#sql((ctx) => bulkStatement(ctx, action, filter, o.batchSize ?? 1000, o.queueName));
      if (rows.length === 0) return { count: done };
      done += rows.length;
      o.onProgress?.({ done, batch: rows.length });
    }
  }

  #requireAll(ids: readonly string[], rows: Row[]): void {
    const found = new Set(rows.map((r) => String(r.workflow_uuid)));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new DBOSNonExistentWorkflowError(missing);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Python `destroy()`: fails pending waits and closes the connections this client opened. Idempotent. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#watcher.close();
    this.#communication.close();
    await this.#listeners.close();
    const ready = this.#ready;
    this.#ready = undefined;
    if (ready && this.#ownsDriver) {
      const { driver } = await ready.catch(() => ({ driver: undefined }));
      await driver?.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

/** What a bulk action did. */
export interface BulkResult {
  readonly count: number;
}

/** One item's result from `enqueueMany`. */
export type EnqueueResult<R = unknown> =
  | { readonly ok: true; readonly handle: WorkflowHandle<R> }
  | { readonly ok: false; readonly error: DBOSEdgeError };
