import type { DBOSEdgeError } from './errors.ts';
import type { WaitOptions } from './options.ts';
import type { WorkflowStatus } from './status.ts';

/** What a handle asks of its client. */
export interface HandleBackend {
  getWorkflow(workflowID: string): Promise<WorkflowStatus | undefined>;
  awaitResult(workflowID: string, options?: WaitOptions): Promise<unknown>;
}

/** A handle on one workflow (Python `WorkflowHandle`), as `@dbos-inc/dbos-sdk` shapes it. */
export class WorkflowHandle<R = unknown> {
  readonly #backend: HandleBackend;

  constructor(
    backend: HandleBackend,
    readonly workflowID: string,
  ) {
    this.#backend = backend;
  }

  /** Python `get_workflow_id()`. */
  getWorkflowID(): string {
    return this.workflowID;
  }

  /** The workflow ID, so code written for the TS SDK's `forkWorkflow` (which returns the ID) can print or store it. */
  toString(): string {
    return this.workflowID;
  }

  /** Serializes as the workflow ID (the TS SDK's `forkWorkflow` result), not as an object. */
  toJSON(): string {
    return this.workflowID;
  }

  /** The workflow's status with inputs and outputs, or null if no such workflow exists (yet). */
  async getStatus(): Promise<WorkflowStatus | null> {
    return (await this.#backend.getWorkflow(this.workflowID)) ?? null;
  }

  /**
   * Waits for the workflow to finish and returns its output, or throws: the workflow's own error rebuilt as
   * `DBOSWorkflowError`, `DBOSAwaitedWorkflowCancelledError`, `DBOSAwaitedWorkflowExceededMaxRecoveryAttempts`,
   * or `DBOSWaitTimeoutError` after `timeoutMs` (the workflow keeps running).
   */
  async getResult(options?: WaitOptions): Promise<R> {
    return (await this.#backend.awaitResult(this.workflowID, options)) as R;
  }
}

/** One item's result from `enqueueMany`. */
export type EnqueueResult<R = unknown> =
  | { readonly ok: true; readonly handle: WorkflowHandle<R> }
  | { readonly ok: false; readonly error: DBOSEdgeError };
