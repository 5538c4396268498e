/**
 * Waiting for workflows to finish. DBOS announces no completion, so results are polled: one shared lookup of every
 * workflow this client's waiters wait on (`finishedStatement`), whatever their number.
 */
import * as v from 'valibot';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSEdgeError,
  DBOSWaitTimeoutError,
  ValidationError,
} from './errors.ts';
import type { StatusWaitOptions } from './option-types.ts';
import { validate, validateId, type WaitAllOptions, type WaitOptions, WaitOptionsSchema } from './options.ts';
import { decodeError, type Reader } from './reader.ts';
import type { ClientScope } from './scope.ts';
import type { Codec } from './serialization.ts';
import { runOn } from './sql/base.ts';
import { type FinishedRow, finishedStatement } from './sql/workflows.ts';
import { isActive, type WorkflowStatus } from './status.ts';
import { type PollingOptions, Watcher } from './wait.ts';

/** `waitForWorkflow`'s options: 0 ms reads the status once without waiting. */
export type { StatusWaitOptions } from './option-types.ts';

const StatusWaitSchema = v.strictObject({
  ...WaitOptionsSchema.entries,
  timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});

export class Results {
  readonly #codec: Codec;
  readonly #reader: Reader;
  readonly #watcher: Watcher<{ key: string }>;

  constructor({ connect, codec }: ClientScope, reader: Reader, polling: PollingOptions | undefined) {
    this.#codec = codec;
    this.#reader = reader;
    this.#watcher = new Watcher(async (items) => {
      const ids = items.map((item) => item.key);
      const rows = await runOn(connect, (ctx) => finishedStatement(ctx, ids));
      return new Map(rows.map((row) => [row.workflow_uuid, row]));
    }, polling);
  }

  /** The workflow's output once it finishes, or its failure as the typed error. */
  async awaitResult(workflowID: string, options: WaitOptions | undefined): Promise<unknown> {
    const wait = validate(WaitOptionsSchema, options ?? {}, 'options');
    const { row } = await this.#watcher.wait([{ key: workflowID }], waitOptions([workflowID], wait));
    return this.#outcome(row as FinishedRow);
  }

  /** The ID of the first of `workflows` to reach a final status. */
  async waitFirst(
    workflows: readonly ({ workflowID: string } | string)[],
    options: WaitOptions | undefined,
  ): Promise<string> {
    if (!Array.isArray(workflows) || workflows.length === 0) {
      throw new ValidationError([
        { field: 'workflows', rule: 'min_length', message: 'must list at least one workflow' },
      ]);
    }
    const ids = workflowIds(workflows);
    const wait = validate(WaitOptionsSchema, options ?? {}, 'options');
    const { item } = await this.#watcher.wait(
      ids.map((key) => ({ key })),
      waitOptions(ids, wait),
    );
    return item.key;
  }

  /**
   * TS `waitAll`: resolves once every workflow has reached a final status (an empty list at once), or rejects with
   * `DBOSWaitTimeoutError` naming those still running when `timeoutMs` passes. Their outcomes are not thrown.
   */
  async waitAll(
    workflows: readonly ({ workflowID: string } | string)[],
    options: WaitAllOptions | undefined,
  ): Promise<void> {
    if (!Array.isArray(workflows)) {
      throw new ValidationError([{ field: 'workflows', rule: 'array', message: 'must be an array of handles or IDs' }]);
    }
    const ids = [...new Set(workflowIds(workflows))];
    const { timeoutMs, signal } = validate(WaitOptionsSchema, options ?? {}, 'options');
    // One waiter per workflow: they share the client's one poll, and each settles when its workflow finishes.
    const waits = await Promise.allSettled(
      ids.map((id) => this.#watcher.wait([{ key: id }], waitOptions([id], { timeoutMs, signal }))),
    );
    const unfinished = ids.flatMap((id, i) => {
      const wait = waits[i];
      return wait?.status === 'rejected' ? [{ id, reason: wait.reason as unknown }] : [];
    });
    if (unfinished.length === 0) return;
    const failure = unfinished.find(({ reason }) => !(reason instanceof DBOSWaitTimeoutError));
    if (failure) throw failure.reason;
    throw new DBOSWaitTimeoutError(
      unfinished.map(({ id }) => id),
      timeoutMs ?? 0,
    );
  }

  /**
   * The workflow's status with its output or error (no inputs) once it has finished, or as it is when `timeoutMs`
   * runs out; undefined if there is no such workflow. A timeout is an answer here, not an error.
   */
  async waitForWorkflow(
    workflowID: string,
    options: StatusWaitOptions | undefined,
  ): Promise<WorkflowStatus | undefined> {
    validateId(workflowID, 'workflowID');
    const { timeoutMs, signal } = validate(StatusWaitSchema, options ?? {}, 'options');
    const status = await this.#reader.summary(workflowID, true);
    if (!status || !isActive(status.status) || timeoutMs === 0) return status;
    try {
      await this.#watcher.wait([{ key: workflowID }], waitOptions([workflowID], { timeoutMs, signal }));
    } catch (e) {
      if (!(e instanceof DBOSWaitTimeoutError)) throw e;
    }
    return (await this.#reader.summary(workflowID, true)) ?? status;
  }

  close(): void {
    this.#watcher.close();
  }

  async #outcome(row: FinishedRow): Promise<unknown> {
    const id = row.workflow_uuid;
    switch (row.status) {
      case 'SUCCESS':
        return this.#codec.decode(row.output, row.serialization, `the output of workflow ${id}`);
      case 'ERROR':
        throw await decodeError(this.#codec, id, row.error, row.serialization, `the error of workflow ${id}`);
      case 'CANCELLED':
        throw new DBOSAwaitedWorkflowCancelledError(id);
      case 'MAX_RECOVERY_ATTEMPTS_EXCEEDED':
        throw new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(id);
      default:
        throw new DBOSEdgeError('UNKNOWN_STATUS', `Workflow ${id} finished with unknown status ${String(row.status)}`);
    }
  }
}

/** The IDs of handles or IDs, each validated and named by its index. */
function workflowIds(workflows: readonly ({ workflowID: string } | string)[]): string[] {
  return workflows.map((w, i) => validateId(typeof w === 'string' ? w : w?.workflowID, `workflows[${i}]`));
}

function waitOptions(ids: readonly string[], { timeoutMs, signal }: { timeoutMs?: number; signal?: AbortSignal }) {
  return { timeoutMs, signal, onTimeout: () => new DBOSWaitTimeoutError(ids, timeoutMs ?? 0) };
}
