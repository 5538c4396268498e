/**
 * `DBOSClient`: the whole Python `DBOSClient` surface in TypeScript idiom, with the names of
 * `@dbos-inc/dbos-sdk`'s own client. It reads and writes the DBOS system database directly, so a real
 * DBOS application executes what it enqueues. Construction does no I/O: the driver connects and the schema's
 * features are read on the first call, so a client is safe at module scope on the edge.
 *
 * The client is a facade: each operation validates nothing itself and delegates to the collaborator that owns it
 * (Enqueuer, Reader, Results, Manager, Communication, Schedules); the public doc comment of each lives here.
 */
import { Communication } from './communication.ts';
import { SystemDatabase } from './connect.ts';
import type { Driver } from './driver.ts';
import { Enqueuer, portable } from './enqueue.ts';
import { clientDestroyed } from './errors.ts';
import { type EnqueueResult, WorkflowHandle } from './handle.ts';
import { Listeners } from './listen.ts';
import { type BulkResult, Manager, type RewindOptions } from './manage.ts';
import type * as opts from './options.ts';
import { ClientConfigSchema, type DBOSClientConfig, validate, validateId } from './options.ts';
import { type CallerTransaction, Outbox, type PreparedWrite } from './outbox.ts';
import { Queued, type SetDelayOptions } from './queued.ts';
import { Queues, type RegisterQueueOptions, type WorkflowQueue } from './queues.ts';
import { Reader, type StatusOptions, type WorkflowPage } from './reader.ts';
import { type ApplicationRowCounts, type RenameOptions, Renamer } from './rename.ts';
import { Results, type StatusWaitOptions } from './results.ts';
import { Schedules, type TickReport, type WorkflowSchedule } from './schedules.ts';
import { fromSdkConfig, type SdkCreateConfig } from './sdk-config.ts';
import { Codec } from './serialization.ts';
import type { SqlContext } from './sql/base.ts';
import type { QueueCounts, StepInfo, WorkflowStatus } from './status.ts';
import { type SetLatestVersionOptions, type VersionInfo, Versions } from './versions.ts';

export type { DBOSClientConfig } from './options.ts';
export type { BulkResult, EnqueueResult };

export class DBOSClient implements AsyncDisposable {
  readonly #applicationName: string | undefined;
  readonly #database: SystemDatabase;
  readonly #listeners: Listeners;
  readonly #communication: Communication;
  readonly #schedules: Schedules;
  readonly #enqueuer: Enqueuer;
  readonly #reader: Reader;
  readonly #results: Results;
  readonly #manager: Manager;
  readonly #queues: Queues;
  readonly #outbox: Outbox;
  readonly #queued: Queued;
  readonly #versions: Versions;
  readonly #renamer: Renamer;
  #destroyed = false;

  constructor(config: DBOSClientConfig) {
    const settings = validate(ClientConfigSchema, config, 'config');
    this.#database = new SystemDatabase(settings);
    this.#applicationName = settings.applicationName;
    const connect = () => this.#connect();
    const scope = { connect, codec: new Codec(settings.serializer), applicationName: settings.applicationName };
    this.#listeners = new Listeners(async () => (await connect()).driver, settings.listen ?? true);
    this.#communication = new Communication(scope, settings.polling, this.#listeners);
    this.#schedules = new Schedules(scope, settings.schedulerApp);
    this.#enqueuer = new Enqueuer(scope);
    this.#reader = new Reader(scope);
    this.#results = new Results(scope, this.#reader, settings.polling);
    this.#manager = new Manager(scope, this.#reader);
    this.#queues = new Queues(scope);
    this.#outbox = new Outbox(scope, this.#enqueuer, this.#communication);
    this.#queued = new Queued(scope);
    this.#versions = new Versions(scope);
    this.#renamer = new Renamer(scope);
  }

  /**
   * `new DBOSClient(config)`, taking the TS SDK's `create` settings too: `systemDatabasePool` (a node-postgres
   * `Pool`, used as the driver and left open), and `systemDatabasePoolSize`, `systemDatabasePollingConcurrency`,
   * `logger`, `observabilityQueryTimeoutMs` and `systemDatabaseIdleTransactionTimeoutMs`, checked and of no effect
   * here. No I/O happens here.
   */
  static async create(config: SdkCreateConfig): Promise<DBOSClient> {
    return new DBOSClient(await fromSdkConfig(config));
  }

  get applicationName(): string | undefined {
    return this.#applicationName;
  }

  #connect(): Promise<{ driver: Driver; ctx: SqlContext }> {
    return this.#destroyed ? Promise.reject(clientDestroyed()) : this.#database.connect();
  }

  #handle<R>(workflowID: string): WorkflowHandle<R> {
    return new WorkflowHandle<R>(this.#backend, workflowID);
  }

  readonly #backend = {
    getWorkflow: (id: string) => this.getWorkflow(id),
    awaitResult: (id: string, options?: opts.WaitOptions) => this.#results.awaitResult(id, options),
  };

  // ---------------------------------------------------------------- enqueue

  /**
   * Python `enqueue(options, *args)`: queues `workflowName` with positional `args` and returns its handle.
   * Serialized as portable JSON unless `serializationType: 'native'` or the client's own serializer says otherwise.
   */
  async enqueue<R = unknown>(options: opts.EnqueueOptions, ...args: unknown[]): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#enqueuer.enqueue(options, args, undefined));
  }

  /** Enqueues with portable JSON and optional named arguments (Python keyword arguments). */
  async enqueuePortable<R = unknown>(
    options: opts.EnqueueOptions,
    positionalArgs: readonly unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#enqueuer.enqueuePortable(options, positionalArgs, namedArgs));
  }

  /**
   * Enqueues many workflows in one statement (no DBOS client has it): all rows are written, or none if the
   * statement fails. Each item gets its own result: a handle, or the typed error of its own outcome (deduplicated,
   * conflicting ID), which does not stop the others. Items must not repeat a workflow ID. Up to 5000 items.
   */
  async enqueueMany<R = unknown>(items: readonly opts.EnqueueItem[]): Promise<EnqueueResult<R>[]> {
    return (await this.#enqueuer.enqueueMany(items)).map((r) =>
      r.ok ? { ok: true, handle: this.#handle<R>(r.workflowID) } : r,
    );
  }

  // ---------------------------------------------------------------- in the caller's transaction (outbox)

  /**
   * TS `enqueueInTransaction` (Python `enqueue_in_transaction`): enqueues in a transaction the caller owns, so the
   * workflow commits or rolls back with the caller's own writes and exists only once it commits. `transaction` is a
   * `pg` client in an open transaction, or the `tx` of postgres.js `sql.begin(tx => …)`, on this client's system
   * database. The same workflow ID twice keeps the first; a held deduplication ID throws `DBOSQueueDuplicatedError`
   * without aborting the transaction; `duplicationPolicy: 'return-existing'` is refused. One statement.
   */
  async enqueueInTransaction<R = unknown>(
    transaction: CallerTransaction,
    options: opts.EnqueueOptions,
    ...args: unknown[]
  ): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#outbox.enqueue(transaction, options, args, undefined));
  }

  /** TS `enqueuePortableInTransaction`: `enqueuePortable` in the caller's transaction, as `enqueueInTransaction`. */
  async enqueuePortableInTransaction<R = unknown>(
    transaction: CallerTransaction,
    options: opts.EnqueueOptions,
    positionalArgs: readonly unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<R>> {
    const id = await this.#outbox.enqueue(transaction, portable(options, positionalArgs), positionalArgs, namedArgs);
    return this.#handle<R>(id);
  }

  /**
   * TS `sendInTransaction` (Python `send_in_transaction`): `send` in the caller's transaction; the destination can
   * receive the message once it commits. A missing destination throws `DBOSNonExistentWorkflowError` without
   * aborting the transaction.
   */
  async sendInTransaction(
    transaction: CallerTransaction,
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
    options?: opts.SendOptions,
  ): Promise<void> {
    await this.#outbox.send(transaction, destinationID, message, topic, idempotencyKey, options);
  }

  /**
   * The enqueue statement itself, for a driver without interactive transactions (Neon HTTP): run `{ text, params }`
   * in your own `sql.transaction([...])`, then `settle(rows)` gives the handle or throws the typed error. No DBOS
   * client has it.
   */
  async prepareEnqueue<R = unknown>(
    options: opts.EnqueueOptions,
    ...args: unknown[]
  ): Promise<PreparedWrite<WorkflowHandle<R>>> {
    return this.#handles<R>(await this.#outbox.prepareEnqueue(options, args, undefined));
  }

  /** `prepareEnqueue` for `enqueuePortable`. */
  async prepareEnqueuePortable<R = unknown>(
    options: opts.EnqueueOptions,
    positionalArgs: readonly unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<PreparedWrite<WorkflowHandle<R>>> {
    const write = await this.#outbox.prepareEnqueue(portable(options, positionalArgs), positionalArgs, namedArgs);
    return this.#handles<R>(write);
  }

  /** The send statement itself, as `prepareEnqueue`: `settle(rows)` throws if the destination does not exist. */
  async prepareSend(
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
    options?: opts.SendOptions,
  ): Promise<PreparedWrite<void>> {
    return this.#outbox.prepareSend(destinationID, message, topic, idempotencyKey, options);
  }

  #handles<R>(write: PreparedWrite<string>): PreparedWrite<WorkflowHandle<R>> {
    return { text: write.text, params: write.params, settle: (rows) => this.#handle<R>(write.settle(rows)) };
  }

  // ---------------------------------------------------------------- handles and results

  /** A handle on an existing workflow. No I/O: `getStatus()` returns null if it does not exist. */
  retrieveWorkflow<R = unknown>(workflowID: string): WorkflowHandle<R> {
    return this.#handle<R>(validateId(workflowID, 'workflowID'));
  }

  /**
   * The workflow's status, or undefined if there is no such workflow. Inputs and outputs are loaded unless
   * `loadInput` / `loadOutput` is false (without them it is one indexed lookup of the status row).
   */
  async getWorkflow(workflowID: string, options?: StatusOptions): Promise<WorkflowStatus | undefined> {
    return this.#reader.getWorkflow(workflowID, options);
  }

  /**
   * Waits up to `timeoutMs` for the workflow to finish and returns its status with output or error (no inputs):
   * final once it finished, as it is now if it has not (`timeoutMs: 0` does not wait). Undefined if there is no
   * such workflow. Unlike `getResult`, the outcome is never thrown: a long poll reads it from the status.
   */
  async waitForWorkflow(workflowID: string, options?: StatusWaitOptions): Promise<WorkflowStatus | undefined> {
    return this.#results.waitForWorkflow(workflowID, options);
  }

  /**
   * Python `wait_first`: waits until one of the workflows finishes (any terminal status) and returns its handle.
   * Every waiter of the client shares one poll.
   */
  async waitFirst<R = unknown>(
    workflows: readonly (WorkflowHandle<R> | string)[],
    options?: opts.WaitOptions,
  ): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#results.waitFirst(workflows, options));
  }

  /**
   * TS `waitAll`: waits until every workflow has finished (any final status) and returns the handles given, in order;
   * an empty list returns at once. `DBOSWaitTimeoutError` names those still running after `timeoutMs`.
   */
  async waitAll<R = unknown>(
    handles: readonly WorkflowHandle<R>[],
    options?: opts.WaitAllOptions,
  ): Promise<WorkflowHandle<R>[]> {
    await this.#results.waitAll(handles, options);
    return [...handles];
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
    options?: opts.SendOptions,
  ): Promise<void> {
    await this.#communication.send(destinationID, message, topic, idempotencyKey, options);
  }

  /** Sends many messages in one round trip, all or none. No DBOS client has it. */
  async sendMany(messages: readonly opts.Message[], options?: opts.SendOptions): Promise<void> {
    await this.#communication.sendMany(messages, options);
  }

  /**
   * Python `get_event(workflow_id, key, timeout_seconds=60)`: the event's value, or null at the timeout (0 reads it
   * once). The timeout is `{ timeoutMs }`, or as the TS SDK takes it: seconds (a number or `{ timeoutSeconds }`) or
   * `{ deadlineEpochMS }`.
   */
  async getEvent<T = unknown>(
    workflowID: string,
    key: string,
    options?: opts.GetEventOptions | number,
  ): Promise<T | null> {
    return this.#communication.getEvent<T>(workflowID, key, options);
  }

  /** Python `read_stream(workflow_id, key)`: the stream's values in order, as an async iterable. */
  readStream<T = unknown>(workflowID: string, key: string, options?: opts.ReadStreamOptions): AsyncGenerator<T> {
    return this.#communication.readStream<T>(workflowID, key, options);
  }

  /**
   * TS `readStreamOffset`: the one value at `offset` of stream `key`, waiting for it to be written.
   * `DBOSStreamTimeoutError` if the timeout passes, or if the stream ends before reaching `offset`.
   */
  async readStreamOffset<T = unknown>(
    workflowID: string,
    key: string,
    offset: number,
    options?: opts.ReadStreamOffsetOptions,
  ): Promise<T> {
    return this.#communication.readStreamOffset<T>(workflowID, key, offset, options);
  }

  // ---------------------------------------------------------------- schedules

  /** Python `create_schedule`. Cron is validated (croner) before anything is written. */
  async createSchedule(schedule: opts.ScheduleInput): Promise<void> {
    await this.#schedules.createSchedule(schedule);
  }

  /** Python `apply_schedules`: creates or redefines them all in one statement. */
  async applySchedules(schedules: readonly opts.ScheduleInput[]): Promise<void> {
    await this.#schedules.applySchedules(schedules);
  }

  /** Python `list_schedules`. */
  async listSchedules(filter?: opts.ListSchedulesInput): Promise<WorkflowSchedule[]> {
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
  async updateSchedule(name: string, changes: opts.ScheduleUpdate): Promise<void> {
    await this.#schedules.updateSchedule(name, changes);
  }

  /** Python `trigger_schedule`: runs the schedule's workflow now and returns its handle. */
  async triggerSchedule<R = unknown>(name: string, options?: opts.BackfillOptions): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#schedules.triggerSchedule(name, options));
  }

  /** Python `backfill_schedule`: every tick strictly between `start` and `end`, each run once; their handles. */
  async backfillSchedule<R = unknown>(
    name: string,
    start: Date,
    end: Date,
    options?: opts.BackfillOptions,
  ): Promise<WorkflowHandle<R>[]> {
    const runs = await this.#schedules.backfillSchedule(name, start, end, options);
    return runs.map((run) => this.#handle<R>(run.workflowID));
  }

  /**
   * Fires every due schedule in this client's scope once: call it from an edge cron trigger (Cloudflare
   * `scheduled`, `Deno.cron`, any cron). Safe to run concurrently; reports what it did per schedule.
   */
  async runScheduleTick(options?: opts.TickOptions): Promise<TickReport> {
    return this.#schedules.runScheduleTick(options);
  }

  // ---------------------------------------------------------------- queues

  /**
   * TS `registerQueue` (Python `register_queue`): creates or updates the queue's row, which the owning application's
   * workers poll. `onConflict` `always_update` (default) overwrites an existing queue's settings, `never_update`
   * keeps them. Owned by `applicationName` (default the client's); a name another application owns throws
   * `DBOSConflictingOwnerError`. One statement.
   */
  async registerQueue(name: string, options?: RegisterQueueOptions): Promise<WorkflowQueue> {
    return this.#queues.register(name, options);
  }

  /** TS `retrieveQueue` (Python `retrieve_queue`): the queue, or null if there is no row of that name. */
  async retrieveQueue(name: string): Promise<WorkflowQueue | null> {
    return this.#queues.retrieve(name);
  }

  /** TS `deleteQueue` (Python `delete_queue`): removes the row; workflows still on the queue are never dequeued. */
  async deleteQueue(name: string): Promise<void> {
    await this.#queues.delete(name);
  }

  /**
   * TS `listQueues` (Python `list_queues`): queues owned by these applications plus unclaimed ones, by name;
   * by default the client's application's (every queue for a client without one).
   */
  async listQueues(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    return this.#queues.list(applicationName);
  }

  // ---------------------------------------------------------------- management

  /** Python `cancel_workflow`: stops a workflow that has not finished; it ends CANCELLED. */
  async cancelWorkflow(workflowID: string, options?: opts.CancelOptions): Promise<void> {
    await this.cancelWorkflows([workflowID], options);
  }

  /** Cancels several workflows in one statement; all or none (every ID must exist). */
  async cancelWorkflows(workflowIDs: readonly string[], options?: opts.CancelOptions): Promise<void>;
  /** Cancels every unfinished workflow matching the filter, in batches; safe to re-run. */
  async cancelWorkflows(target: { filter: opts.ListWorkflowsInput }, options?: opts.BulkOptions): Promise<BulkResult>;
  async cancelWorkflows(
    target: readonly string[] | { filter: opts.ListWorkflowsInput },
    options?: opts.CancelOptions | opts.BulkOptions,
  ): Promise<unknown> {
    if (!Array.isArray(target))
      return this.#manager.bulk('cancel', target as { filter: opts.ListWorkflowsInput }, options);
    await this.#manager.cancel(target as readonly string[], options as opts.CancelOptions | undefined);
  }

  /** Python `resume_workflow`: re-enqueues a cancelled (or stuck) workflow under the same ID; steps already done are replayed. */
  async resumeWorkflow<R = unknown>(workflowID: string, options?: opts.ResumeOptions): Promise<WorkflowHandle<R>> {
    const [handle] = await this.resumeWorkflows<R>([workflowID], options);
    return handle as WorkflowHandle<R>;
  }

  async resumeWorkflows<R = unknown>(
    workflowIDs: readonly string[],
    options?: opts.ResumeOptions,
  ): Promise<WorkflowHandle<R>[]>;
  /** Resumes every CANCELLED or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow matching the filter, in batches; safe to re-run. */
  async resumeWorkflows(target: { filter: opts.ListWorkflowsInput }, options?: opts.BulkOptions): Promise<BulkResult>;
  async resumeWorkflows<R = unknown>(
    target: readonly string[] | { filter: opts.ListWorkflowsInput },
    options?: opts.ResumeOptions | opts.BulkOptions,
  ): Promise<WorkflowHandle<R>[] | BulkResult> {
    if (!Array.isArray(target))
      return this.#manager.bulk('resume', target as { filter: opts.ListWorkflowsInput }, options);
    const ids = await this.#manager.resume(target as readonly string[], options as opts.ResumeOptions | undefined);
    return ids.map((id) => this.#handle<R>(id));
  }

  /**
   * Python `fork_workflow`: starts a new workflow with the original's inputs, reusing the checkpoints of every step
   * before `startStep` (TS workers number steps from 0, Python workers from 1). Returns the new workflow's handle,
   * where the TS SDK returns its ID: the handle can be awaited at once, and it prints and serializes as the ID.
   */
  async forkWorkflow<R = unknown>(
    workflowID: string,
    startStep: number,
    options?: opts.ForkOptions,
  ): Promise<WorkflowHandle<R>> {
    return this.#handle<R>(await this.#manager.fork(workflowID, startStep, options));
  }

  /**
   * TS `rewindWorkflow`: drops a finished workflow's history from `startStep` on (default 0) and enqueues it again
   * under the same ID, so a replay runs every step from there; events it published from there on go back to their
   * earlier values. A workflow still running throws `DBOSInvalidWorkflowTransitionError`: cancel it first.
   */
  async rewindWorkflow<R = unknown>(workflowID: string, options?: RewindOptions): Promise<WorkflowHandle<R>> {
    await this.#manager.rewind(workflowID, options);
    return this.#handle<R>(workflowID);
  }

  /**
   * TS `setWorkflowPriority`: the priority of a workflow still ENQUEUED or DELAYED (0 is the highest). Any other
   * workflow, or none, is left as it is, as in the SDK; resolves true if it was changed.
   */
  async setWorkflowPriority(workflowID: string, priority: number): Promise<boolean> {
    return this.#queued.setPriority(workflowID, priority);
  }

  /**
   * TS `setWorkflowDelay` (Python `set_workflow_delay`): when a DELAYED workflow may be dequeued, as seconds from now
   * (a number or `{ delaySeconds }`) or `{ delayUntilEpochMS }`. Any other workflow is left as it is, as in the SDK;
   * resolves true if it was changed.
   */
  async setWorkflowDelay(workflowID: string, options: SetDelayOptions): Promise<boolean> {
    return this.#queued.setDelay(workflowID, options);
  }

  // ---------------------------------------------------------------- applications: versions and renaming

  /** TS `listApplicationVersions`: the client's application's versions plus unclaimed ones, latest first. */
  async listApplicationVersions(): Promise<VersionInfo[]> {
    return this.#versions.list();
  }

  /** TS `getLatestApplicationVersion`: the version enqueues without `appVersion` run on. */
  async getLatestApplicationVersion(): Promise<VersionInfo> {
    return this.#versions.latest();
  }

  /**
   * TS `setLatestApplicationVersion`: makes the version the latest (its timestamp now), acting as `applicationName`
   * (default the client's). A version another application registered throws `DBOSConflictingOwnerError`; an unknown
   * one `DBOSNonExistentApplicationVersionError` (the SDK does nothing there). One statement.
   */
  async setLatestApplicationVersion(versionName: string, options?: SetLatestVersionOptions): Promise<void> {
    await this.#versions.setLatest(versionName, options);
  }

  /**
   * TS `renameApplication`: gives `newName` the rows `oldName` owns (undefined: none), and with
   * `adoptUnclaimedRows` the rows nobody owns. Queues, schedules, versions and unfinished workflows move in one
   * statement; finished workflows and steps then follow `batchSize` workflows at a time (null: in one), so a re-run
   * resumes. Run it while the renamed application is stopped. Returns the rows moved, by table.
   */
  async renameApplication(
    oldName: string | undefined,
    newName: string,
    options?: RenameOptions,
  ): Promise<ApplicationRowCounts> {
    return this.#renamer.rename(oldName, newName, options);
  }

  // ---------------------------------------------------------------- listing

  /** Python `list_workflows`: every filter of both SDKs; oldest first unless `sortDesc`. */
  async listWorkflows(input: opts.ListWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return this.#reader.list(input, false);
  }

  /** Python `list_queued_workflows`: workflows on a queue that have not finished (or of the statuses asked for). */
  async listQueuedWorkflows(input: opts.ListWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return this.#reader.list(input, true);
  }

  /**
   * `listWorkflows` by keyset: a page of `limit` (default 100) and the cursor of the next one (absent on the last
   * page). Unlike `offset`, a deep page costs what the first does, and pages never skip or repeat a workflow while
   * others are being enqueued.
   */
  async listWorkflowsPage(input: opts.ListPageInput = {}): Promise<WorkflowPage> {
    return this.#reader.page(input, false);
  }

  /** How many unfinished workflows each queue holds, by status, counted in one statement (no DBOS client has it). */
  async listQueueCounts(): Promise<QueueCounts[]> {
    return this.#reader.queueCounts();
  }

  /** `listQueuedWorkflows` by keyset, as `listWorkflowsPage`. */
  async listQueuedWorkflowsPage(input: opts.ListPageInput = {}): Promise<WorkflowPage> {
    return this.#reader.page(input, true);
  }

  /**
   * Python `list_workflow_steps`: the workflow's checkpointed steps in order, or undefined if it does not exist.
   * `loadOutput: false` leaves every `output` and `error` null, unread.
   */
  async listWorkflowSteps(workflowID: string, options?: opts.ListStepsOptions): Promise<StepInfo[] | undefined> {
    return this.#reader.steps(workflowID, options);
  }

  /**
   * TS `deleteWorkflow` (Python `delete_workflow`): deletes the workflow whatever its status, with its steps and
   * payloads (messages, events and streams cascade); with `deleteChildren`, its descendants too. An unknown ID is a
   * no-op.
   */
  async deleteWorkflow(workflowID: string, deleteChildren?: boolean): Promise<void> {
    await this.#manager.delete([workflowID], deleteChildren);
  }

  /** TS `deleteWorkflows(ids, deleteChildren)`: `deleteWorkflow` for several IDs in one statement. */
  async deleteWorkflows(workflowIDs: readonly string[], deleteChildren?: boolean): Promise<void>;
  /**
   * Deletes every finished workflow matching the filter (status, steps, payloads; messages, events and streams
   * cascade), in batches; safe to re-run. Unfinished workflows are never deleted: cancel them first.
   */
  async deleteWorkflows(target: { filter: opts.ListWorkflowsInput }, options?: opts.BulkOptions): Promise<BulkResult>;
  async deleteWorkflows(
    target: readonly string[] | { filter: opts.ListWorkflowsInput },
    options?: boolean | opts.BulkOptions,
  ): Promise<unknown> {
    if (!Array.isArray(target))
      return this.#manager.bulk('delete', target as { filter: opts.ListWorkflowsInput }, options);
    await this.#manager.delete(target as readonly string[], options as boolean | undefined);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Python `destroy()`: fails pending waits and closes the connections this client opened. Idempotent. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#results.close();
    this.#communication.close();
    await this.#listeners.close();
    await this.#database.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}
