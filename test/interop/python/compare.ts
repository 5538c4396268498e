/**
 * dbos-edge's answers in the shape client_probe.py prints DBOS Python's, so tests compare them field by field.
 * Only representation is mapped (absent is null, errors are name + message); every value is kept.
 */
import type { StepInfo, WorkflowStatus } from '../../../src/index.ts';

/** A dbos-edge status in the shape client_probe.py prints (absent fields as null, errors as name + message). */
export function comparable(status: WorkflowStatus | undefined) {
  if (!status) return null;
  const error = status.error as { name?: string; message?: string } | undefined;
  return {
    workflowID: status.workflowID,
    status: status.status,
    workflowName: status.workflowName,
    queueName: status.queueName ?? null,
    authenticatedUser: status.authenticatedUser ?? null,
    // dbos-edge (like the TS SDK) gives [] where Python gives None for a workflow without roles.
    authenticatedRoles: status.authenticatedRoles.length > 0 ? status.authenticatedRoles : null,
    applicationVersion: status.applicationVersion ?? null,
    applicationName: status.applicationName ?? null,
    executorId: status.executorId ?? null,
    createdAt: status.createdAt,
    updatedAt: status.updatedAt ?? null,
    timeoutMS: status.timeoutMS ?? null,
    deadlineEpochMS: status.deadlineEpochMS ?? null,
    deduplicationID: status.deduplicationID ?? null,
    priority: status.priority,
    queuePartitionKey: status.queuePartitionKey ?? null,
    forkedFrom: status.forkedFrom ?? null,
    wasForkedFrom: status.wasForkedFrom,
    parentWorkflowID: status.parentWorkflowID ?? null,
    dequeuedAt: status.dequeuedAt ?? null,
    delayUntilEpochMS: status.delayUntilEpochMS ?? null,
    completedAt: status.completedAt ?? null,
    scheduleName: status.scheduleName ?? null,
    recoveryAttempts: status.recoveryAttempts,
    input: status.input ?? null,
    namedInput: status.namedArgs ?? {},
    output: status.output ?? null,
    error: error ? { name: error.name, message: error.message } : null,
  };
}

/** A dbos-edge step in the shape client_probe.py prints. */
export function comparableStep(step: StepInfo) {
  const error = step.error as { name?: string; message?: string } | null;
  return {
    functionID: step.functionID,
    name: step.name,
    output: step.output,
    error: error ? { name: error.name, message: error.message } : null,
    childWorkflowID: step.childWorkflowID,
  };
}
