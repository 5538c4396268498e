/**
 * Enqueueing: validating and serializing an enqueue into its `workflow_status` row, writing rows (one at a time
 * through the batcher, or many in one statement), and reading each row's outcome the way DBOS does: the same
 * workflow under a taken ID is that workflow; another one is a conflict; a held deduplication ID is refused.
 */
import * as v from 'valibot';
import { EnqueueBatcher, type RowOutcome } from './enqueue-batcher.ts';
import {
  DBOSConflictingWorkflowError,
  DBOSEdgeError,
  DBOSQueueDuplicatedError,
  DriverError,
  ValidationError,
} from './errors.ts';
import {
  type EnqueueItem,
  EnqueueItemSchema,
  type EnqueueOptions,
  EnqueueOptionsSchema,
  enqueueItemsSchema,
  validate,
} from './options.ts';
import type { ClientScope } from './scope.ts';
import { PORTABLE } from './serialization.ts';
import { runOn } from './sql/base.ts';
import { type EnqueueOutcomeRow, type EnqueueRow, enqueueStatement } from './sql/workflows.ts';
import { isDataState } from './sql-state.ts';

/** Attempts of an enqueue whose conflicting row was committed after the statement's snapshot. */
const ENQUEUE_ATTEMPTS = 5;

/** The list and each item's shape; each item's options are validated as it is prepared, named by its index. */
const ItemsSchema = enqueueItemsSchema(v.strictObject({ ...EnqueueItemSchema.entries, options: v.looseObject({}) }));

/** One enqueue, validated and serialized. */
export interface Prepared {
  readonly row: EnqueueRow;
  readonly options: v.InferOutput<typeof EnqueueOptionsSchema>;
}

/** One item's result from `enqueueMany`: the workflow it holds, or its own typed error. */
export type ItemResult =
  | { readonly ok: true; readonly workflowID: string }
  | { readonly ok: false; readonly error: DBOSEdgeError };

export class Enqueuer {
  readonly #batcher: EnqueueBatcher;

  readonly #scope: ClientScope;

  constructor(scope: ClientScope) {
    this.#scope = scope;
    this.#batcher = new EnqueueBatcher((rows) => this.#writeIsolated(rows));
  }

  /** Enqueues one workflow (coalesced with concurrent ones); resolves with the ID of the workflow it holds. */
  async enqueue(
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<string> {
    const prepared = await this.prepare(options, args, namedArgs, '');
    for (let attempt = 0; attempt < ENQUEUE_ATTEMPTS; attempt++) {
      const id = this.settle(prepared, await this.#batcher.submit(prepared.row));
      if (id !== undefined) return id;
    }
    throw contended(prepared.row.workflowID);
  }

  /** Enqueues with portable JSON, the only format that carries named arguments. */
  async enqueuePortable(
    options: EnqueueOptions,
    positionalArgs: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<string> {
    return this.enqueue(portable(options, positionalArgs), positionalArgs, namedArgs);
  }

  /**
   * Writes every item in one statement, sending again only the rows that raced a concurrent writer. An item whose
   * value the database refuses fails alone: the others are written all the same.
   */
  async enqueueMany(items: readonly EnqueueItem[]): Promise<ItemResult[]> {
    const list = validate(ItemsSchema, items, 'items');
    const prepared = await Promise.all(
      list.map((item, i) =>
        this.prepare(item.options as EnqueueOptions, item.args ?? [], item.namedArgs, `items[${i}].`),
      ),
    );
    const seen = new Map<string, number>();
    for (const [i, p] of prepared.entries()) {
      const first = seen.get(p.row.workflowID);
      if (first !== undefined) {
        throw new ValidationError([
          { field: `items[${i}].options.workflowID`, rule: 'unique', message: `repeats items[${first}]` },
        ]);
      }
      seen.set(p.row.workflowID, i);
    }
    const results: (ItemResult | undefined)[] = prepared.map(() => undefined);
    let pending = prepared.map((_, i) => i);
    // Rows that raced a concurrent writer get no outcome; only they are sent again.
    for (let attempt = 0; attempt < ENQUEUE_ATTEMPTS && pending.length > 0; attempt++) {
      const batch = pending.map((i) => (prepared[i] as Prepared).row);
      const rows = await this.#writeIsolated(batch);
      const retry: number[] = [];
      for (const [position, r] of rows.entries()) {
        const i = pending[position] as number;
        if (r === undefined) continue;
        if (r instanceof DriverError) {
          results[i] = { ok: false, error: r };
          continue;
        }
        try {
          const id = this.settle(prepared[i] as Prepared, r);
          if (id === undefined) retry.push(i);
          else results[i] = { ok: true, workflowID: id };
        } catch (error) {
          results[i] = { ok: false, error: error as DBOSEdgeError };
        }
      }
      pending = retry;
    }
    return results.map((r, i) => r ?? { ok: false, error: contended((prepared[i] as Prepared).row.workflowID) });
  }

  /**
   * Writes the rows in one statement and returns each row's outcome by position (undefined: none came back). If a
   * row's value breaks the statement, its halves are written again (and theirs), so only the bad rows get the error.
   */
  async #writeIsolated(rows: readonly EnqueueRow[]): Promise<RowOutcome[]> {
    try {
      const outcomes: RowOutcome[] = rows.map(() => undefined);
      for (const r of await runOn(this.#scope.connect, (ctx) => enqueueStatement(ctx, rows))) {
        if (Number(r.n) >= 1 && Number(r.n) <= rows.length) outcomes[Number(r.n) - 1] = r;
      }
      return outcomes;
    } catch (e) {
      if (!(e instanceof DriverError && isDataState(e.sqlState))) throw e;
      if (rows.length === 1) return [e];
      const half = Math.ceil(rows.length / 2);
      const [first, second] = await Promise.all([
        this.#writeIsolated(rows.slice(0, half)),
        this.#writeIsolated(rows.slice(half)),
      ]);
      return [...first, ...second];
    }
  }

  /**
   * Validates and serializes one enqueue into its row; `field` prefixes the names in validation errors. Also how the
   * outbox prepares an enqueue for a caller's transaction.
   */
  async prepare(
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
    field: string,
  ): Promise<Prepared> {
    try {
      const enqueue = validate(EnqueueOptionsSchema, options, 'options');
      if (enqueue.duplicationPolicy === 'return-existing' && enqueue.deduplicationID === undefined) {
        // Without an ID there is nothing to deduplicate on, so the policy could never apply: refused, as both SDKs do.
        throw new ValidationError([
          {
            field: 'options.deduplicationID',
            rule: 'required',
            message: "`duplicationPolicy: 'return-existing'` requires `deduplicationID`",
          },
        ]);
      }
      const serialization = this.#scope.codec.nameFor(enqueue.serializationType);
      const inputs = await this.#scope.codec.encodeArgs(args, namedArgs, serialization);
      const attributes =
        enqueue.attributes === undefined
          ? null
          : await this.#scope.codec.encode(enqueue.attributes, PORTABLE, 'options.attributes');
      const delayMs = enqueue.delaySeconds ? Math.round(enqueue.delaySeconds * 1000) : null;
      const row: EnqueueRow = {
        workflowID: enqueue.workflowID ?? crypto.randomUUID(),
        status: delayMs ? 'DELAYED' : 'ENQUEUED',
        name: enqueue.workflowName,
        className: enqueue.workflowClassName || null,
        configName: enqueue.workflowConfigName || null,
        queueName: enqueue.queueName,
        appVersion: enqueue.appVersion ?? null,
        authenticatedUser: enqueue.authenticatedUser ?? null,
        authenticatedRoles: enqueue.authenticatedRoles?.length ? JSON.stringify(enqueue.authenticatedRoles) : null,
        timeoutMs: enqueue.workflowTimeoutMS ?? null,
        deduplicationID: enqueue.deduplicationID ?? null,
        priority: enqueue.priority ?? 0,
        inputs,
        serialization,
        partitionKey: enqueue.queuePartitionKey ?? null,
        delayMs,
        attributes,
        applicationName: enqueue.applicationName ?? this.#scope.applicationName ?? null,
        creatorXid: crypto.randomUUID(),
      };
      return { row, options: enqueue };
    } catch (e) {
      if (e instanceof ValidationError && field) {
        throw new ValidationError(e.issues.map((i) => ({ ...i, field: `${field}${i.field}` })));
      }
      throw e;
    }
  }

  /**
   * What one row's outcome means: the ID of the workflow the caller now holds, undefined to try again (a concurrent
   * writer won the race), or the typed error.
   */
  settle({ row, options }: Prepared, result: EnqueueOutcomeRow): string | undefined {
    if (result.outcome === 'inserted') return row.workflowID;
    if (result.outcome === 'existing') {
      if (
        result.name !== row.name ||
        (result.class_name ?? null) !== row.className ||
        (result.config_name ?? null) !== row.configName
      ) {
        throw new DBOSConflictingWorkflowError(
          row.workflowID,
          `it runs ${describe(result.name, result.class_name, result.config_name)}, not ${describe(row.name, row.className, row.configName)}`,
        );
      }
      if (options.workflowIDReusePolicy === 'reject' && result.creator_xid !== row.creatorXid) {
        throw new DBOSConflictingWorkflowError(row.workflowID, 'workflowIDReusePolicy is reject');
      }
      return row.workflowID;
    }
    if (result.outcome === 'deduplicated') {
      if (options.duplicationPolicy === 'return-existing') return String(result.workflow_uuid);
      throw new DBOSQueueDuplicatedError(row.workflowID, row.queueName, row.deduplicationID as string);
    }
    return undefined;
  }
}

/** `enqueuePortable`'s options: portable JSON, which alone carries named arguments; its arguments checked. */
export function portable(options: EnqueueOptions, positionalArgs: readonly unknown[]): EnqueueOptions {
  if (!Array.isArray(positionalArgs)) {
    throw new ValidationError([{ field: 'positionalArgs', rule: 'array', message: 'must be an array' }]);
  }
  if (options?.serializationType === 'native') {
    throw new ValidationError([
      {
        field: 'options.serializationType',
        rule: 'portable_only',
        message: 'enqueuePortable always writes portable JSON',
      },
    ]);
  }
  return { ...options, serializationType: 'portable' };
}

export function contended(workflowID: string): DBOSEdgeError {
  return new DBOSEdgeError('ENQUEUE_CONTENDED', `Enqueue of ${workflowID} kept racing a concurrent writer; try again`);
}

function describe(name: unknown, className: unknown, configName: unknown): string {
  return [className, configName, name].filter((x) => x).join('.');
}
