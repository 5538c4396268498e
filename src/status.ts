/**
 * The shapes a client returns, matching `@dbos-inc/dbos-sdk`'s `WorkflowStatus` and `StepInfo` field for field
 * (Python `WorkflowStatus` / `StepInfo` names in the comments), and the mapping from system-database rows.
 */
import type { DBOSSerializationError, DBOSWorkflowError } from './errors.ts';

/** Every status a DBOS workflow can have. */
export const WORKFLOW_STATUSES = [
  'ENQUEUED',
  'DELAYED',
  'PENDING',
  'SUCCESS',
  'ERROR',
  'CANCELLED',
  'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
] as const;
export type WorkflowStatusString = (typeof WORKFLOW_STATUSES)[number];

/** Statuses of a workflow that has not finished; every other status is final. */
export const ACTIVE_STATUSES: readonly WorkflowStatusString[] = ['ENQUEUED', 'DELAYED', 'PENDING'];
/** Final statuses: the workflow will not run again unless resumed or forked. */
export const FINAL_STATUSES: readonly WorkflowStatusString[] = WORKFLOW_STATUSES.filter(
  (st) => !ACTIVE_STATUSES.includes(st),
);
/** Final statuses the workflow's own code produced; cancel and resume leave these alone. */
export const COMPLETED_STATUSES: readonly WorkflowStatusString[] = ['SUCCESS', 'ERROR'];
/** Final statuses that resume re-enqueues (a bulk resume by filter takes these). */
export const RESUMABLE_STATUSES: readonly WorkflowStatusString[] = FINAL_STATUSES.filter(
  (st) => !COMPLETED_STATUSES.includes(st),
);
export const isActive = (status: unknown): boolean => (ACTIVE_STATUSES as readonly unknown[]).includes(status);

export interface WorkflowStatus {
  /** Python `workflow_id`. */
  readonly workflowID: string;
  readonly status: WorkflowStatusString;
  /** Python `name`. */
  readonly workflowName: string;
  /** Python `class_name`; '' when none, as the TS SDK returns it. */
  readonly workflowClassName: string;
  /** Python `config_name`; '' when none. */
  readonly workflowConfigName: string;
  readonly queueName?: string;
  readonly authenticatedUser?: string;
  readonly assumedRole?: string;
  readonly authenticatedRoles: string[];
  /** Python `input` (there `{args, kwargs}`): the positional arguments. Undefined when not loaded. */
  readonly input?: unknown[] | DBOSSerializationError;
  /**
   * The named arguments (Python `input`'s `kwargs`, portable `namedArgs`), when the workflow was started with some;
   * undefined otherwise or when the input is not loaded.
   */
  readonly namedArgs?: Record<string, unknown>;
  /** Python `output`. Undefined when not loaded or not finished. */
  readonly output?: unknown;
  /** Python `error`: the workflow's failure rebuilt. */
  readonly error?: DBOSWorkflowError | DBOSSerializationError;
  /** Python `executor_id`. */
  readonly executorId?: string;
  /** Python `app_version`. */
  readonly applicationVersion?: string;
  readonly applicationName?: string;
  /** Python `recovery_attempts`. */
  readonly recoveryAttempts: number;
  /** Python `created_at`, epoch ms. */
  readonly createdAt: number;
  readonly updatedAt?: number;
  /** Python `workflow_timeout_ms`. */
  readonly timeoutMS?: number;
  /** Python `workflow_deadline_epoch_ms`. */
  readonly deadlineEpochMS?: number;
  readonly deduplicationID?: string;
  readonly priority: number;
  readonly queuePartitionKey?: string;
  /** Python `dequeued_at` (column `started_at_epoch_ms`). */
  readonly dequeuedAt?: number;
  readonly delayUntilEpochMS?: number;
  readonly completedAt?: number;
  readonly forkedFrom?: string;
  readonly wasForkedFrom: boolean;
  readonly parentWorkflowID?: string;
  readonly attributes?: Record<string, unknown>;
  readonly scheduleName?: string;
  /** The payload format of the row (`portable_json`, `js_superjson`, `py_pickle`, a custom name). */
  readonly serialization?: string;
}

export interface StepInfo {
  /** Python `function_id`. TS workers number steps from 0, Python workers from 1. */
  readonly functionID: number;
  /** Python `function_name`. */
  readonly name: string;
  readonly output: unknown;
  readonly error: DBOSWorkflowError | DBOSSerializationError | null;
  /** Python `child_workflow_id`. */
  readonly childWorkflowID: string | null;
  /** Python `started_at_epoch_ms`. */
  readonly startedAtEpochMs?: number;
  /** Python `completed_at_epoch_ms`. */
  readonly completedAtEpochMs?: number;
}

/** How many unfinished workflows one queue holds, by status (`listQueueCounts`). */
export interface QueueCounts {
  readonly queueName: string;
  readonly ENQUEUED: number;
  readonly DELAYED: number;
  readonly PENDING: number;
}
