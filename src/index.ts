/** dbos-edge: the public API of the runtime-agnostic core. */
export {
  type BulkResult,
  DBOSClient,
  type DBOSClientConfig,
  type EnqueueResult,
} from './client.ts';
export { parseCron, pythonIsoformat, type ScheduleIdFormat, scheduledWorkflowID } from './cron.ts';
export type { Driver, Row, SqlParam, Statement } from './driver.ts';
export * from './errors.ts';
export { WorkflowHandle } from './handle.ts';
export type { RewindOptions } from './manage.ts';
export {
  type BackfillOptions,
  type BulkOptions,
  type CancelOptions,
  type EnqueueItem,
  type EnqueueOptions,
  type ForkOptions,
  type GetEventOptions,
  type ListPageInput,
  type ListSchedulesInput,
  type ListStepsOptions,
  type ListWorkflowsInput,
  MAX_BACKFILL_TICKS,
  MAX_ENQUEUE_MANY,
  MAX_MESSAGES,
  type Message,
  type ReadStreamOffsetOptions,
  type ReadStreamOptions,
  type ResumeOptions,
  type ScheduleInput,
  type ScheduleUpdate,
  type SendOptions,
  type TickOptions,
  type WaitAllOptions,
  type WaitOptions,
} from './options.ts';
export type { CallerTransaction, PgTransactionClient, PostgresJsTransaction, PreparedWrite } from './outbox.ts';
export type { SetDelayOptions } from './queued.ts';
export {
  type QueueRateLimit,
  type QueueUpdate,
  type RegisterQueueOptions,
  WorkflowQueue,
} from './queues.ts';
export type { WorkflowPage } from './reader.ts';
export type { ApplicationRowCounts, RenameOptions } from './rename.ts';
export type { ScheduleTickResult, TickReport, WorkflowSchedule } from './schedules.ts';
export { ensureSchema } from './schema/ensure.ts';
export type { SerializationType, Serializer } from './serialization.ts';
export {
  type QueueCounts,
  type StepInfo,
  WORKFLOW_STATUSES,
  type WorkflowStatus,
  type WorkflowStatusString,
} from './status.ts';
export type { SetLatestVersionOptions, VersionInfo } from './versions.ts';
export type { PollingOptions } from './wait.ts';
