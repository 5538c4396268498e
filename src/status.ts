/**
 * The shapes a client returns, matching `@dbos-inc/dbos-sdk`'s `WorkflowStatus` and `StepInfo` field for field
 * (Python `WorkflowStatus` / `StepInfo` names in the comments), and the mapping from system-database rows.
 */
import type { Row } from './driver.ts';
import type { DBOSSerializationError, DBOSWorkflowError } from './errors.ts';
import type { WorkflowStatusString } from './options.ts';

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

/** Statuses of a workflow that has not finished; every other status is final. */
export const ACTIVE_STATUSES: readonly string[] = ['ENQUEUED', 'DELAYED', 'PENDING'];
export const isActive = (status: unknown): boolean => ACTIVE_STATUSES.includes(String(status));

const str = (x: unknown): string | undefined => (x === null || x === undefined ? undefined : String(x));
/** int8 columns arrive as numbers from most drivers and as decimal strings from some. */
export const num = (x: unknown): number | undefined => (x === null || x === undefined ? undefined : Number(x));

function roles(text: unknown): string[] {
  if (typeof text !== 'string' || text === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** Maps a `workflow_status` row to its public shape; payload fields are decoded by the caller. */
export function mapStatusRow(
  row: Row,
  payloads: Pick<WorkflowStatus, 'input' | 'output' | 'error'> = {},
): WorkflowStatus {
  return {
    workflowID: String(row.workflow_uuid),
    status: row.status as WorkflowStatusString,
    workflowName: String(row.name ?? ''),
    workflowClassName: String(row.class_name ?? ''),
    workflowConfigName: String(row.config_name ?? ''),
    queueName: str(row.queue_name),
    authenticatedUser: str(row.authenticated_user),
    assumedRole: str(row.assumed_role),
    authenticatedRoles: roles(row.authenticated_roles),
    ...payloads,
    executorId: str(row.executor_id),
    applicationVersion: str(row.application_version),
    applicationName: str(row.application_name),
    recoveryAttempts: num(row.recovery_attempts) ?? 0,
    createdAt: num(row.created_at) ?? 0,
    updatedAt: num(row.updated_at),
    timeoutMS: num(row.workflow_timeout_ms),
    deadlineEpochMS: num(row.workflow_deadline_epoch_ms),
    deduplicationID: str(row.deduplication_id),
    priority: num(row.priority) ?? 0,
    queuePartitionKey: str(row.queue_partition_key),
    dequeuedAt: num(row.started_at_epoch_ms),
    delayUntilEpochMS: num(row.delay_until_epoch_ms),
    completedAt: num(row.completed_at),
    forkedFrom: str(row.forked_from),
    wasForkedFrom: row.was_forked_from === true,
    parentWorkflowID: str(row.parent_workflow_id),
    attributes: (row.attributes as Record<string, unknown> | null) ?? undefined,
    scheduleName: str(row.schedule_name),
    serialization: str(row.serialization),
  };
}
