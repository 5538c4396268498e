/** dbos-edge: the public API of the runtime-agnostic core. */
export { DBOSClient, type DBOSClientConfig } from './client.ts';
export type { Driver, Row, SqlParam, Statement } from './driver.ts';
export * from './errors.ts';
export { WorkflowHandle } from './handle.ts';
export {
  type CancelOptions,
  type EnqueueOptions,
  type ForkOptions,
  type GetEventOptions,
  type ListStepsOptions,
  type ListWorkflowsInput,
  MAX_MESSAGES,
  type Message,
  type ReadStreamOptions,
  type ResumeOptions,
  type SendOptions,
  type WaitOptions,
  WORKFLOW_STATUSES,
  type WorkflowStatusString,
} from './options.ts';
export { ensureSchema } from './schema/ensure.ts';
export type { SerializationType, Serializer } from './serialization.ts';
export type { StepInfo, WorkflowStatus } from './status.ts';
export type { PollingOptions } from './wait.ts';
