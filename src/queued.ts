/**
 * Adjusting a workflow before it is dequeued: its priority (TS `setWorkflowPriority`) and, while it is DELAYED,
 * when it may start (TS `setWorkflowDelay`, Python `set_workflow_delay`). One statement each.
 */
import * as v from 'valibot';
import { ValidationError } from './errors.ts';
import type { SetDelayOptions } from './option-types.ts';
import { validate, validateId } from './options.ts';
import type { ClientScope } from './scope.ts';
import { runOn } from './sql/base.ts';
import { type DelayTarget, setDelayStatement, setPriorityStatement } from './sql/queued.ts';

const INT32_MAX = 2_147_483_647;
const positive = (name: string) =>
  v.pipe(v.number(), v.finite(), v.gtValue(0, `${name} must be greater than 0`), v.maxValue(Number.MAX_SAFE_INTEGER));

export const SetDelaySchema = v.strictObject({
  /** Seconds from now. */
  delaySeconds: v.optional(positive('delaySeconds')),
  /** An absolute time, epoch milliseconds. */
  delayUntilEpochMS: v.optional(positive('delayUntilEpochMS')),
});
export type { SetDelayOptions } from './option-types.ts';

export class Queued {
  readonly #scope: ClientScope;

  constructor(scope: ClientScope) {
    this.#scope = scope;
  }

  /** Whether the workflow was ENQUEUED or DELAYED and now has the priority. */
  async setPriority(workflowID: string, priority: number): Promise<boolean> {
    const id = validateId(workflowID, 'workflowID');
    const value = validate(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(INT32_MAX)), priority, 'priority');
    return (await runOn(this.#scope.connect, (ctx) => setPriorityStatement(ctx, id, value))).length > 0;
  }

  /** Whether the workflow was DELAYED and now waits until the new time. */
  async setDelay(workflowID: string, options: SetDelayOptions): Promise<boolean> {
    const id = validateId(workflowID, 'workflowID');
    const target = delayTarget(options);
    return (await runOn(this.#scope.connect, (ctx) => setDelayStatement(ctx, id, target))).length > 0;
  }
}

/** The SDK's three forms of a delay; an absolute time wins over seconds, as in the SDK. */
function delayTarget(options: SetDelayOptions): DelayTarget {
  if (typeof options === 'number') {
    return { delayMs: validate(positive('delaySeconds'), options, 'delaySeconds') * 1000 };
  }
  const o = validate(SetDelaySchema, options, 'options');
  if (o.delayUntilEpochMS !== undefined) return { untilMs: o.delayUntilEpochMS };
  if (o.delaySeconds !== undefined) return { delayMs: o.delaySeconds * 1000 };
  throw new ValidationError([
    {
      field: 'options',
      rule: 'required',
      message: 'SetWorkflowDelayOptions must specify either delaySeconds or delayUntilEpochMS',
    },
  ]);
}
