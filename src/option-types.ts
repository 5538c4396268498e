/**
 * The option objects of the public API, written out. The valibot schemas in options.ts check them at run time
 * (each rule is documented there); these declarations are what callers see, and what JSR reads without
 * inferring anything. test/unit/option-types.test.ts proves each equals its schema's input type.
 */
import type { PgPoolLike } from './connect.ts';
import type { SerializationType } from './serialization.ts';
import type { WorkflowStatusString } from './status.ts';

/** A point in time: an ISO 8601 string, a Date, or epoch milliseconds. */

export type Instant = string | Date | number;
/** A filter value: one, or any of several. */
export type OneOrMany<T extends string = string> = T | T[];

/** `enqueue` options: the TS SDK's `ClientEnqueueOptions` names (Python names in options.ts). */
export type EnqueueOptions = {
  queueName: string;
  workflowName: string;
  workflowClassName?: string | undefined;
  workflowConfigName?: string | undefined;
  workflowID?: string | undefined;
  workflowIDReusePolicy?: 'return-existing' | 'reject' | undefined;
  appVersion?: string | undefined;
  workflowTimeoutMS?: number | undefined;
  deduplicationID?: string | undefined;
  duplicationPolicy?: 'reject' | 'return-existing' | undefined;
  priority?: number | undefined;
  queuePartitionKey?: string | undefined;
  delaySeconds?: number | undefined;
  attributes?: Record<string, unknown> | undefined;
  authenticatedUser?: string | undefined;
  authenticatedRoles?: string[] | undefined;
  applicationName?: string | undefined;
  serializationType?: SerializationType | undefined;
};

/** `listWorkflows` filters (both SDKs' names). */
export type ListWorkflowsInput = {
  workflowIDs?: string[] | undefined;
  workflowName?: OneOrMany | undefined;
  status?: OneOrMany<WorkflowStatusString> | undefined;
  startTime?: Instant | undefined;
  endTime?: Instant | undefined;
  completedAfter?: Instant | undefined;
  completedBefore?: Instant | undefined;
  dequeuedAfter?: Instant | undefined;
  dequeuedBefore?: Instant | undefined;
  authenticatedUser?: OneOrMany | undefined;
  applicationVersion?: OneOrMany | undefined;
  executorId?: OneOrMany | undefined;
  workflowIDPrefix?: OneOrMany | undefined;
  workflow_id_prefix?: OneOrMany | undefined;
  queueName?: OneOrMany | undefined;
  queuesOnly?: boolean | undefined;
  forkedFrom?: OneOrMany | undefined;
  wasForkedFrom?: boolean | undefined;
  isFork?: boolean | undefined;
  parentWorkflowID?: OneOrMany | undefined;
  hasParent?: boolean | undefined;
  attributes?: Record<string, unknown> | undefined;
  scheduleName?: OneOrMany | undefined;
  applicationName?: OneOrMany | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  sortDesc?: boolean | undefined;
  loadInput?: boolean | undefined;
  loadOutput?: boolean | undefined;
};

export type ListStepsOptions = {
  limit?: number | undefined;
  offset?: number | undefined;
  /** Python `load_output`: false leaves `output` and `error` null, unread. */
  loadOutput?: boolean | undefined;
};

export type ForkOptions = {
  newWorkflowID?: string | undefined;
  workflowID?: string | undefined;
  applicationVersion?: string | undefined;
  timeoutMS?: number | undefined;
  queueName?: string | undefined;
  queuePartitionKey?: string | undefined;
  replacementChildren?: Record<string, string> | undefined;
};

export type WaitOptions = {
  timeoutMs?: number | undefined;
  /** The TS SDK's per-wait poll interval: accepted, no effect (one shared poll per client serves every waiter). */
  pollingIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
};

export type ResumeOptions = {
  queueName?: string | undefined;
};

export type CancelOptions = {
  cancelChildren?: boolean | undefined;
};

export type Message = {
  destinationID: string;
  message: unknown;
  topic?: string | undefined;
  idempotencyKey?: string | undefined;
  serializationType?: SerializationType | undefined;
};

export type SendOptions = {
  serializationType?: SerializationType | undefined;
};

/** `timeoutMs` (0 reads once), or the TS SDK's `timeoutSeconds` or absolute `deadlineEpochMS`: one of them. */
export type GetEventOptions = WaitOptions & {
  timeoutSeconds?: number | undefined;
  deadlineEpochMS?: number | undefined;
};

/** `timeoutMs` (or the SDK's `timeoutSeconds`) is per value; `offset` the first value to read. */
export type ReadStreamOptions = WaitOptions & {
  offset?: number | undefined;
  timeoutSeconds?: number | undefined;
};

/** `readStreamOffset`'s options: those of `readStream` but the offset, which is an argument. */
export type ReadStreamOffsetOptions = Omit<ReadStreamOptions, 'offset'>;

/** `waitAll`'s options (the TS SDK's `WaitAllOptions`), the same as `waitFirst`'s. */
export type WaitAllOptions = WaitOptions;

/** The DBOS app that fires the schedules this client writes (the client's `schedulerApp`). */
export type SchedulerApp = {
  language: 'typescript' | 'python';
  /** `native` (default): superjson for TypeScript, pickle for Python; `portable`: the portable JSON serializer. */
  serializer?: 'native' | 'portable' | undefined;
};

/** `listWorkflowsPage` input: the list filters and a cursor from the previous page. */
export type ListPageInput = ListWorkflowsInput & {
  cursor?: string | undefined;
};

export type BulkOptions = {
  batchSize?: number | undefined;
  onProgress?: ((progress: { done: number; batch: number }) => void) | undefined;
  queueName?: string | undefined;
};

export type EnqueueItem = {
  options: EnqueueOptions;
  args?: unknown[] | undefined;
  namedArgs?: Record<string, unknown> | undefined;
};

/** When a schedule runs and where: top level, or (as the SDK writes it) in `options`. */
export type ScheduleSettings = {
  automaticBackfill?: boolean | undefined;
  cronTimezone?: string | undefined;
  queueName?: string | undefined;
};

export type ScheduleInput = ScheduleSettings & {
  scheduleName: string;
  workflowName: string;
  workflowClassName?: string | undefined;
  schedule: string;
  context?: unknown;
  options?: ScheduleSettings | undefined;
  applicationName?: string | undefined;
  serializationType?: SerializationType | undefined;
};

export type ScheduleUpdate = {
  schedule?: string | undefined;
  context?: unknown;
  automaticBackfill?: boolean | undefined;
  cronTimezone?: string | null | undefined;
  queueName?: string | null | undefined;
  serializationType?: SerializationType | undefined;
};

export type ListSchedulesInput = {
  status?: OneOrMany<'ACTIVE' | 'PAUSED'> | undefined;
  workflowName?: OneOrMany | undefined;
  scheduleNamePrefix?: OneOrMany | undefined;
  applicationName?: OneOrMany | undefined;
  /** At most this many, by name. */
  limit?: number | undefined;
  /** Only schedules named after this one (the previous page's last name). */
  startAfter?: string | undefined;
};

export type BackfillOptions = {
  idFormat?: 'typescript' | 'python' | undefined;
};

export type TickOptions = {
  now?: Instant | undefined;
  maxCatchUp?: number | undefined;
  idFormat?: 'typescript' | 'python' | undefined;
};

/** `getWorkflow` options. */
export type StatusOptions = {
  loadInput?: boolean | undefined;
  loadOutput?: boolean | undefined;
};

/** `waitForWorkflow` options: `timeoutMs` 0 answers at once. */
export type StatusWaitOptions = WaitOptions;

/** TS `rewindWorkflow` options. */
export type RewindOptions = {
  startStep?: number | undefined;
  applicationVersion?: string | undefined;
  queueName?: string | undefined;
  queuePartitionKey?: string | undefined;
};

/** The TS SDK's `SetWorkflowDelayOptions`: seconds from now, or an absolute time (epoch ms). */
export type SetDelayTarget = {
  delaySeconds?: number | undefined;
  delayUntilEpochMS?: number | undefined;
};
/** The TS SDK's `SetWorkflowDelayOptions`, or seconds as a number. */
export type SetDelayOptions = SetDelayTarget | number;

/** `renameApplication` options. */
export type RenameOptions = {
  batchSize?: number | null | undefined;
  adoptUnclaimedRows?: boolean | undefined;
};

/** `setLatestApplicationVersion` options. */
export type SetLatestVersionOptions = {
  applicationName?: string | undefined;
};

/** A queue's rate limit: at most `limitPerPeriod` starts per `periodSec` seconds. */
export type QueueRateLimit = {
  limitPerPeriod: number;
  periodSec: number;
};

/** A queue's limits, named as the TS SDK's `QueueParameters`. */
export type QueueSettings = {
  globalConcurrency?: number | undefined;
  /** The TS SDK's deprecated name of `globalConcurrency`. */
  concurrency?: number | undefined;
  workerConcurrency?: number | undefined;
  rateLimit?: QueueRateLimit | undefined;
  partitionConcurrency?: number | undefined;
  partitionWorkerConcurrency?: number | undefined;
  partitionRateLimit?: QueueRateLimit | undefined;
  minPollingIntervalMs?: number | undefined;
};

/** `registerQueue` options. */
export type RegisterQueueOptions = QueueSettings & {
  onConflict?: 'always_update' | 'never_update' | 'update_if_latest_version' | undefined;
  applicationName?: string | undefined;
};

/** Settings to change: a value sets it, null removes the limit. */
export type QueueUpdate = {
  globalConcurrency?: number | null | undefined;
  workerConcurrency?: number | null | undefined;
  rateLimit?: QueueRateLimit | null | undefined;
  partitionConcurrency?: number | null | undefined;
  partitionWorkerConcurrency?: number | null | undefined;
  partitionRateLimit?: QueueRateLimit | null | undefined;
  minPollingIntervalMs?: number | undefined;
};

/** The TS SDK's `DBOSClient.create` settings dbos-edge has no field for (see src/sdk-config.ts). */
export type SdkOnlySettings = {
  systemDatabasePool?: PgPoolLike | undefined;
  systemDatabasePoolSize?: number | undefined;
  systemDatabasePollingConcurrency?: number | undefined;
  logger?: unknown;
  observabilityQueryTimeoutMs?: number | undefined;
  systemDatabaseIdleTransactionTimeoutMs?: number | undefined;
};
