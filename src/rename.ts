/**
 * TS `renameApplication` (Python `rename_application`): gives `newName` the rows another name holds, the rows nobody
 * holds, or both. Run it while the application being renamed is stopped, as the SDKs say: its dequeues race it.
 */
import * as v from 'valibot';
import { ValidationError } from './errors.ts';
import type { RenameOptions } from './option-types.ts';
import { id, validate } from './options.ts';
import type { ClientScope } from './scope.ts';
import { runOn } from './sql/base.ts';
import {
  type BatchRow,
  type RenameSource,
  renameBatchStatement,
  renameLiveStatement,
  stepsHaveOwner,
} from './sql/rename.ts';

/** The TS SDK's default: finished workflows and steps move this many workflows per statement. */
const DEFAULT_BATCH_SIZE = 10_000;

export const RenameOptionsSchema = v.strictObject({
  /** Finished workflows and steps re-owned per statement; null moves them in one. Default 10 000. */
  batchSize: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1)))),
  /** Also take the rows no application owns. Default false. */
  adoptUnclaimedRows: v.optional(v.boolean()),
});
export type { RenameOptions } from './option-types.ts';

/** The TS SDK's `ApplicationRowCounts`: rows moved, by table. */
export interface ApplicationRowCounts {
  readonly queues: number;
  readonly schedules: number;
  readonly versions: number;
  readonly workflows: number;
  readonly steps: number;
}

function refuse(field: string, rule: string, message: string): never {
  throw new ValidationError([{ field, rule, message }]);
}

export class Renamer {
  readonly #scope: ClientScope;

  constructor(scope: ClientScope) {
    this.#scope = scope;
  }

  async rename(
    oldName: string | undefined,
    newName: string,
    options: RenameOptions | undefined,
  ): Promise<ApplicationRowCounts> {
    const to = validate(id(), newName, 'newName');
    const o = validate(RenameOptionsSchema, options ?? {}, 'options');
    const from: RenameSource = {
      oldName: validate(v.optional(v.string()), oldName, 'oldName') ?? null,
      adoptUnclaimed: o.adoptUnclaimedRows ?? false,
    };
    if (from.oldName === '') refuse('oldName', 'not_blank', "The application's previous name cannot be empty.");
    if (from.oldName === null && !from.adoptUnclaimed) {
      refuse(
        'oldName',
        'required',
        'Nothing to re-own: name the application to rename, adopt unclaimed rows, or both.',
      );
    }
    if (from.oldName === to)
      refuse('newName', 'different', `Application '${to}' already holds that name; nothing to rename.`);
    const batchSize = o.batchSize === null ? Number.MAX_SAFE_INTEGER : (o.batchSize ?? DEFAULT_BATCH_SIZE);

    const [live] = await runOn(this.#scope.connect, (ctx) => renameLiveStatement(ctx, to, from));
    const terminal = await this.#inBatches('workflow_status', to, from, batchSize);
    const { ctx } = await this.#scope.connect();
    const steps = stepsHaveOwner(ctx) ? await this.#inBatches('operation_outputs', to, from, batchSize) : 0;
    return {
      queues: live?.queues ?? 0,
      schedules: live?.schedules ?? 0,
      versions: live?.versions ?? 0,
      workflows: (live?.workflows ?? 0) + terminal,
      steps,
    };
  }

  async #inBatches(
    table: 'workflow_status' | 'operation_outputs',
    to: string,
    from: RenameSource,
    batchSize: number,
  ): Promise<number> {
    let moved = 0;
    let after: string | null = null;
    for (;;) {
      const lower: string | null = after;
      const [batch]: BatchRow[] = await runOn(this.#scope.connect, (ctx) =>
        renameBatchStatement(ctx, table, to, from, lower, batchSize),
      );
      moved += batch?.moved ?? 0;
      if (!batch?.upper) return moved;
      after = batch.upper;
    }
  }
}
