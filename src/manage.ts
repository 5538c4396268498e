/**
 * Managing workflows that exist: cancel, resume and fork by ID (one statement each, all or nothing), and the bulk
 * actions by filter (a statement per batch until none match). Returns workflow IDs; the client makes the handles.
 */
import * as v from 'valibot';
import {
  DBOSConflictingWorkflowError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNonExistentWorkflowError,
  ValidationError,
} from './errors.ts';
import type { RewindOptions } from './option-types.ts';
import {
  type BulkOptions,
  BulkOptionsSchema,
  type CancelOptions,
  CancelOptionsSchema,
  type ForkOptions,
  ForkOptionsSchema,
  id,
  type ListWorkflowsInput,
  ListWorkflowsSchema,
  type ResumeOptions,
  ResumeOptionsSchema,
  validate,
  validateId,
} from './options.ts';
import type { Reader } from './reader.ts';
import type { ClientScope } from './scope.ts';
import { runOn } from './sql/base.ts';
import { rewindStatement } from './sql/rewind.ts';
import {
  type BulkAction,
  bulkStatement,
  cancelStatement,
  deleteStatement,
  forkStatement,
  resumeStatement,
} from './sql/workflows.ts';

/** What a bulk action did. */
export interface BulkResult {
  readonly count: number;
}

const BulkTargetSchema = v.strictObject({ filter: ListWorkflowsSchema });

/** TS `rewindWorkflow` options. */
export const RewindOptionsSchema = v.strictObject({
  /** The first step to run again (TS workers number steps from 0, Python workers from 1). Default 0: all of them. */
  startStep: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Unset: the version it ran on. */
  applicationVersion: v.optional(id()),
  /** Default `_dbos_internal_queue`, which every DBOS app polls. */
  queueName: v.optional(id()),
  queuePartitionKey: v.optional(id()),
});
export type { RewindOptions } from './option-types.ts';

export class Manager {
  readonly #scope: ClientScope;
  readonly #reader: Reader;

  constructor(scope: ClientScope, reader: Reader) {
    this.#scope = scope;
    this.#reader = reader;
  }

  async cancel(workflowIDs: readonly string[], options: CancelOptions | undefined): Promise<void> {
    const ids = distinctIds(workflowIDs);
    const { cancelChildren } = validate(CancelOptionsSchema, options ?? {}, 'options');
    const rows = await runOn(this.#scope.connect, (ctx) => cancelStatement(ctx, ids, cancelChildren ?? false));
    requireAll(ids, rows);
  }

  async resume(workflowIDs: readonly string[], options: ResumeOptions | undefined): Promise<string[]> {
    const ids = distinctIds(workflowIDs);
    const { queueName } = validate(ResumeOptionsSchema, options ?? {}, 'options');
    const rows = await runOn(this.#scope.connect, (ctx) => resumeStatement(ctx, ids, queueName));
    requireAll(ids, rows);
    return ids;
  }

  /** Deletes by ID in one statement, whatever the status (as the TS SDK does); IDs that do not exist are skipped. */
  async delete(workflowIDs: readonly string[], deleteChildren: boolean | undefined): Promise<void> {
    const ids = distinctIds(workflowIDs);
    const children = validate(v.optional(v.boolean()), deleteChildren, 'deleteChildren') ?? false;
    await runOn(this.#scope.connect, (ctx) => deleteStatement(ctx, ids, children));
  }

  /** Rewinds a finished workflow in one statement (see `sql/rewind.ts`); it runs again under the same ID. */
  async rewind(workflowID: string, options: RewindOptions | undefined): Promise<void> {
    const id = validateId(workflowID, 'workflowID');
    const o = validate(RewindOptionsSchema, options ?? {}, 'options');
    const [row] = await runOn(this.#scope.connect, (ctx) =>
      rewindStatement(ctx, {
        workflowID: id,
        startStep: o.startStep ?? 0,
        applicationVersion: o.applicationVersion ?? null,
        queueName: o.queueName ?? null,
        partitionKey: o.queuePartitionKey ?? null,
      }),
    );
    if (row === undefined) throw new DBOSNonExistentWorkflowError(id);
    if (!row.rewound) {
      throw new DBOSInvalidWorkflowTransitionError(
        id,
        `Cannot rewind ${id} (${row.status}): only a workflow in a terminal state can be rewound, so cancel it first`,
      );
    }
  }

  /** Forks in one statement; resolves with the new workflow's ID. */
  async fork(workflowID: string, startStep: number, options: ForkOptions | undefined): Promise<string> {
    validateId(workflowID, 'workflowID');
    validate(v.pipe(v.number(), v.integer(), v.minValue(0)), startStep, 'startStep');
    const fork = validate(ForkOptionsSchema, options ?? {}, 'options');
    if (fork.newWorkflowID && fork.workflowID && fork.newWorkflowID !== fork.workflowID) {
      throw new ValidationError([
        { field: 'options.workflowID', rule: 'conflict', message: 'differs from options.newWorkflowID; give one' },
      ]);
    }
    const newID = fork.newWorkflowID ?? fork.workflowID ?? crypto.randomUUID();
    const [row] = await runOn(this.#scope.connect, (ctx) =>
      forkStatement(ctx, {
        originalID: workflowID,
        newID,
        startStep,
        applicationVersion: fork.applicationVersion ?? null,
        timeoutMs: fork.timeoutMS ?? null,
        queueName: fork.queueName ?? null,
        partitionKey: fork.queuePartitionKey ?? null,
        replacementChildren: fork.replacementChildren ? JSON.stringify(fork.replacementChildren) : null,
        applicationName: this.#scope.applicationName ?? null,
      }),
    );
    if (!row?.found) throw new DBOSNonExistentWorkflowError(workflowID);
    if (!row.inserted) throw new DBOSConflictingWorkflowError(newID, 'a workflow with this ID already exists');
    return newID;
  }

  /** Runs a bulk action batch after batch until no workflow matches; reports progress after each batch. */
  async bulk(action: BulkAction, target: { filter: ListWorkflowsInput }, options: unknown): Promise<BulkResult> {
    const { filter: input } = validate(BulkTargetSchema, target, 'target');
    const bulk = validate(BulkOptionsSchema, (options ?? {}) as BulkOptions, 'options');
    if (input.limit !== undefined || input.offset !== undefined) {
      throw new ValidationError([
        { field: 'target.filter.limit', rule: 'bulk', message: 'a bulk action takes every match; use batchSize' },
      ]);
    }
    if (bulk.queueName !== undefined && action !== 'resume') {
      throw new ValidationError([
        { field: 'options.queueName', rule: 'resume_only', message: 'applies to resume only' },
      ]);
    }
    const filter = this.#reader.filter(input, false);
    let done = 0;
    for (;;) {
      const rows = await runOn(this.#scope.connect, (ctx) =>
        bulkStatement(ctx, action, filter, bulk.batchSize ?? 1000, bulk.queueName),
      );
      if (rows.length === 0) return { count: done };
      done += rows.length;
      bulk.onProgress?.({ done, batch: rows.length });
    }
  }
}

/** The IDs a by-ID action takes, each validated, duplicates dropped. */
function distinctIds(workflowIDs: readonly string[]): string[] {
  if (!Array.isArray(workflowIDs) || workflowIDs.length === 0) {
    throw new ValidationError([{ field: 'workflowIDs', rule: 'min_length', message: 'must list at least one ID' }]);
  }
  return [...new Set(workflowIDs.map((id, i) => validateId(id, `workflowIDs[${i}]`)))];
}

/** Throws for the first ID the statement did not find (it then changed nothing). */
function requireAll(ids: readonly string[], rows: readonly { workflow_uuid: string }[]): void {
  const found = new Set(rows.map((row) => row.workflow_uuid));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new DBOSNonExistentWorkflowError(missing);
}
