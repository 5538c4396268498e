/**
 * Reading workflows: one status, listings (by offset, as DBOS pages, or by keyset cursor), and steps, with every
 * stored payload decoded. A payload this client cannot read (Python pickle, an unknown serializer) comes back as
 * its typed serialization error in place of the value, never as garbage and never failing the whole listing.
 */
import type * as v from 'valibot';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Row } from './driver.ts';
import { DBOSSerializationError, DBOSWorkflowError, ValidationError } from './errors.ts';
import {
  asList,
  type ListPageSchema,
  type ListStepsOptions,
  ListStepsSchema,
  type ListWorkflowsSchema,
  validate,
  validateId,
} from './options.ts';
import { type Codec, portableStringify } from './serialization.ts';
import type { ListFilter } from './sql/filter.ts';
import { listStatement } from './sql/list.ts';
import { type Connect, getStatusStatement, runOn, stepsStatement } from './sql/workflows.ts';
import { mapStatusRow, num, type StepInfo, type WorkflowStatus } from './status.ts';

/** A page of `listWorkflowsPage`: pass `nextCursor` back as `cursor` for the next one. */
export interface WorkflowPage {
  readonly workflows: WorkflowStatus[];
  readonly nextCursor: string | undefined;
}

const toEpochMs = (t: string | Date | number | undefined): number | undefined =>
  t === undefined ? undefined : typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();

export class Reader {
  constructor(
    private readonly connect: Connect,
    private readonly codec: Codec,
    private readonly applicationName: string | undefined,
  ) {}

  /** The workflow's status with inputs and outputs, or undefined if there is no such workflow. */
  async getWorkflow(workflowID: string): Promise<WorkflowStatus | undefined> {
    validateId(workflowID, 'workflowID');
    const [row] = await runOn(this.connect, (ctx) => getStatusStatement(ctx, workflowID));
    return row ? this.#status(row, true, true) : undefined;
  }

  async list(i: v.InferOutput<typeof ListWorkflowsSchema>, queued: boolean): Promise<WorkflowStatus[]> {
    const filter = this.filter(i, queued);
    const rows = await runOn(this.connect, (ctx) => listStatement(ctx, filter));
    return Promise.all(rows.map((r) => this.#status(r, filter.loadInput, filter.loadOutput)));
  }

  async page(i: v.InferOutput<typeof ListPageSchema>, queued: boolean): Promise<WorkflowPage> {
    if (i.offset !== undefined) {
      throw new ValidationError([
        { field: 'input.offset', rule: 'cursor_only', message: 'pages by cursor, not offset' },
      ]);
    }
    const cursor = i.cursor === undefined ? undefined : decodeCursor(i.cursor, 'input.cursor');
    if (cursor && cursor.sortDesc !== (i.sortDesc ?? false)) {
      throw new ValidationError([
        { field: 'input.sortDesc', rule: 'cursor', message: 'must be what it was for the page the cursor came from' },
      ]);
    }
    const limit = i.limit ?? 100;
    const filter: ListFilter = { ...this.filter(i, queued), keyset: true, after: cursor, limit: limit + 1 };
    const rows = await runOn(this.connect, (ctx) => listStatement(ctx, filter));
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      workflows: await Promise.all(page.map((r) => this.#status(r, filter.loadInput, filter.loadOutput))),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({
              createdAt: Number(last.created_at),
              id: String(last.workflow_uuid),
              sortDesc: filter.sortDesc,
            })
          : undefined,
    };
  }

  filter(i: v.InferOutput<typeof ListWorkflowsSchema>, queued: boolean): ListFilter {
    const idKeyed = i.workflowIDs !== undefined;
    const applications =
      asList(i.applicationName) ?? (idKeyed || !this.applicationName ? undefined : [this.applicationName]);
    return {
      workflowIDs: i.workflowIDs,
      names: asList(i.workflowName),
      statuses: asList(i.status),
      createdFrom: toEpochMs(i.startTime),
      createdTo: toEpochMs(i.endTime),
      completedFrom: toEpochMs(i.completedAfter),
      completedTo: toEpochMs(i.completedBefore),
      dequeuedFrom: toEpochMs(i.dequeuedAfter),
      dequeuedTo: toEpochMs(i.dequeuedBefore),
      users: asList(i.authenticatedUser),
      versions: asList(i.applicationVersion),
      executors: asList(i.executorId),
      // Both spellings may be given (say, a default plus a caller's filter): any of their prefixes matches.
      idPrefixes:
        i.workflowIDPrefix === undefined && i.workflow_id_prefix === undefined
          ? undefined
          : [i.workflowIDPrefix ?? [], i.workflow_id_prefix ?? []].flat(),
      queues: asList(i.queueName),
      queuesOnly: queued || i.queuesOnly,
      forkedFrom: asList(i.forkedFrom),
      wasForkedFrom: i.wasForkedFrom,
      isFork: i.isFork,
      parents: asList(i.parentWorkflowID),
      hasParent: i.hasParent,
      attributes: i.attributes === undefined ? undefined : portableStringify(i.attributes),
      schedules: asList(i.scheduleName),
      applications,
      includeUnclaimed: applications !== undefined,
      limit: i.limit,
      offset: i.offset,
      sortDesc: i.sortDesc ?? false,
      loadInput: i.loadInput ?? true,
      loadOutput: i.loadOutput ?? true,
    };
  }

  /** Python `list_workflow_steps`: the workflow's checkpointed steps in order, or undefined if it does not exist. */
  async steps(workflowID: string, options?: ListStepsOptions): Promise<StepInfo[] | undefined> {
    validateId(workflowID, 'workflowID');
    const o = validate(ListStepsSchema, options ?? {}, 'options');
    const rows = await runOn(this.connect, (ctx) => stepsStatement(ctx, workflowID, o.limit, o.offset));
    if (rows[0]?.found !== true) return undefined;
    const steps = rows.filter((r) => r.function_id !== null && r.function_id !== undefined);
    return Promise.all(
      steps.map(async (r) => {
        const ser = r.serialization as string | null;
        const what = `step ${String(r.function_id)} of workflow ${workflowID}`;
        return {
          functionID: Number(r.function_id),
          name: String(r.function_name ?? ''),
          output:
            r.output == null
              ? null
              : await readable(this.codec.decode(r.output as string, ser, `the output of ${what}`)),
          error:
            r.error == null
              ? null
              : await readable(decodeError(this.codec, workflowID, r.error, ser, `the error of ${what}`)),
          childWorkflowID: (r.child_workflow_id as string | null) ?? null,
          startedAtEpochMs: num(r.started_at_epoch_ms),
          completedAtEpochMs: num(r.completed_at_epoch_ms),
        } satisfies StepInfo;
      }),
    );
  }

  /** Maps a status row, decoding its payloads. A payload this client cannot read becomes its typed error, never garbage. */
  async #status(row: Row, loadInput: boolean, loadOutput: boolean): Promise<WorkflowStatus> {
    const id = String(row.workflow_uuid);
    const ser = row.serialization as string | null;
    const payloads: { -readonly [K in 'input' | 'output' | 'error']?: WorkflowStatus[K] } = {};
    if (loadInput && row.inputs != null) {
      payloads.input = (await readable(
        this.codec.decodeArgs(row.inputs as string, ser, `the input of workflow ${id}`),
      )) as unknown[] | DBOSSerializationError;
    }
    if (loadOutput && row.output != null) {
      payloads.output = await readable(this.codec.decode(row.output as string, ser, `the output of workflow ${id}`));
    }
    if (loadOutput && row.error != null) {
      payloads.error = await readable(decodeError(this.codec, id, row.error, ser, `the error of workflow ${id}`));
    }
    return mapStatusRow(row, payloads);
  }
}

/** A stored workflow or step error, rebuilt as `DBOSWorkflowError` (name, message, code, data). */
export async function decodeError(
  codec: Codec,
  id: string,
  text: unknown,
  serialization: string | null,
  what: string,
): Promise<DBOSWorkflowError> {
  const value = await codec.decode(text as string | null, serialization, what);
  if (typeof value === 'object' && value !== null) return new DBOSWorkflowError(id, value as Record<string, unknown>);
  return new DBOSWorkflowError(id, { message: String(value ?? '') });
}

/** Resolves to the decoded value, or to the serialization error that explains why it cannot be read. */
async function readable<T>(decoding: Promise<T>): Promise<T | DBOSSerializationError> {
  try {
    return await decoding;
  } catch (e) {
    if (e instanceof DBOSSerializationError) return e;
    if (e instanceof SyntaxError)
      return new DBOSSerializationError('unknown', `stored payload is not valid: ${e.message}`);
    throw e;
  }
}
