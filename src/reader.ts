/**
 * Reading workflows: one status, listings (by offset, as DBOS pages, or by keyset cursor), and steps, with every
 * stored payload decoded. A payload this client cannot read (Python pickle, an unknown serializer) comes back as
 * its typed serialization error in place of the value, never as garbage and never failing the whole listing.
 */
import * as v from 'valibot';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { DBOSSerializationError, DBOSWorkflowError, ValidationError } from './errors.ts';
import type { StatusOptions } from './option-types.ts';
import {
  asList,
  type ListPageInput,
  ListPageSchema,
  type ListStepsOptions,
  type ListWorkflowsInput,
  ListWorkflowsSchema,
  StepsOptionsSchema,
  validate,
  validateId,
} from './options.ts';
import type { ClientScope } from './scope.ts';
import { type Codec, portableStringify } from './serialization.ts';
import { runOn, type StatusRow } from './sql/base.ts';
import type { ListFilter } from './sql/filter.ts';
import { listStatement, queueCountsStatement } from './sql/list.ts';
import { getStatusStatement, stepsStatement } from './sql/workflows.ts';
import type { QueueCounts, StepInfo, WorkflowStatus } from './status.ts';

/** A page of `listWorkflowsPage`: pass `nextCursor` back as `cursor` for the next one. */
export interface WorkflowPage {
  readonly workflows: WorkflowStatus[];
  readonly nextCursor: string | undefined;
}

const toEpochMs = (t: string | Date | number | undefined): number | undefined =>
  t === undefined ? undefined : typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();

export type { StatusOptions } from './option-types.ts';

const StatusOptionsSchema = v.strictObject({ loadInput: v.optional(v.boolean()), loadOutput: v.optional(v.boolean()) });

export class Reader {
  readonly #scope: ClientScope;

  constructor(scope: ClientScope) {
    this.#scope = scope;
  }

  async getWorkflow(workflowID: string, options?: StatusOptions): Promise<WorkflowStatus | undefined> {
    validateId(workflowID, 'workflowID');
    const { loadInput = true, loadOutput = true } = validate(StatusOptionsSchema, options ?? {}, 'options');
    if (!loadInput || !loadOutput) return this.summary(workflowID, loadOutput, loadInput);
    const [row] = await runOn(this.#scope.connect, (ctx) => getStatusStatement(ctx, workflowID));
    return row ? this.#status(row, true, true) : undefined;
  }

  /** Unfinished workflows per queue and status, in the client's application scope, by queue name. */
  async queueCounts(): Promise<QueueCounts[]> {
    const app = this.#scope.applicationName;
    const rows = await runOn(this.#scope.connect, (ctx) => queueCountsStatement(ctx, app ? [app] : undefined));
    const byQueue = new Map<string, { -readonly [K in keyof QueueCounts]: QueueCounts[K] }>();
    for (const row of rows) {
      const counts = byQueue.get(row.queue_name) ?? { queueName: row.queue_name, ENQUEUED: 0, DELAYED: 0, PENDING: 0 };
      if (row.status === 'ENQUEUED' || row.status === 'DELAYED' || row.status === 'PENDING')
        counts[row.status] = row.count;
      byQueue.set(row.queue_name, counts);
    }
    return [...byQueue.values()];
  }

  /** One workflow's status through the listing's statement: an indexed lookup, its payloads only if asked for. */
  async summary(workflowID: string, loadOutput: boolean, loadInput = false): Promise<WorkflowStatus | undefined> {
    const [status] = await this.list({ workflowIDs: [workflowID], loadInput, loadOutput }, false);
    return status;
  }

  async list(input: ListWorkflowsInput, queued: boolean): Promise<WorkflowStatus[]> {
    const filter = this.filter(validate(ListWorkflowsSchema, input, 'input'), queued);
    const rows = await runOn(this.#scope.connect, (ctx) => listStatement(ctx, filter));
    return this.#statuses(rows, filter);
  }

  async page(input: ListPageInput, queued: boolean): Promise<WorkflowPage> {
    const i = validate(ListPageSchema, input, 'input');
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
    const rows = await runOn(this.#scope.connect, (ctx) => listStatement(ctx, filter));
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      workflows: await this.#statuses(page, filter),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({
              createdAt: last.created_at,
              id: last.workflow_uuid,
              sortDesc: filter.sortDesc,
            })
          : undefined,
    };
  }

  filter(i: v.InferOutput<typeof ListWorkflowsSchema>, queued: boolean): ListFilter {
    const idKeyed = i.workflowIDs !== undefined;
    const applications =
      asList(i.applicationName) ??
      (idKeyed || !this.#scope.applicationName ? undefined : [this.#scope.applicationName]);
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

  async steps(workflowID: string, options?: ListStepsOptions): Promise<StepInfo[] | undefined> {
    validateId(workflowID, 'workflowID');
    const o = validate(StepsOptionsSchema, options ?? {}, 'options');
    const rows = await runOn(this.#scope.connect, (ctx) => stepsStatement(ctx, workflowID, o));
    if (rows[0]?.found !== true) return undefined;
    const steps = rows.filter((row) => row.function_id !== null && row.function_id !== undefined);
    return Promise.all(
      steps.map(async (step) => {
        const format = step.serialization;
        const what = `step ${step.function_id} of workflow ${workflowID}`;
        return {
          functionID: Number(step.function_id),
          name: step.function_name ?? '',
          output:
            step.output == null
              ? null
              : await readable(this.#scope.codec.decode(step.output, format, `the output of ${what}`)),
          error:
            step.error == null
              ? null
              : await readable(decodeError(this.#scope.codec, workflowID, step.error, format, `the error of ${what}`)),
          childWorkflowID: step.child_workflow_id ?? null,
          startedAtEpochMs: step.started_at_epoch_ms ?? undefined,
          completedAtEpochMs: step.completed_at_epoch_ms ?? undefined,
        } satisfies StepInfo;
      }),
    );
  }

  /**
   * Maps a listing's rows. Without payloads there is nothing to decode: the rows are mapped at once, not through an
   * async call each (a page of 100 slim rows spent more time in those calls than in mapping).
   */
  async #statuses(rows: readonly StatusRow[], filter: ListFilter): Promise<WorkflowStatus[]> {
    if (!filter.loadInput && !filter.loadOutput) return rows.map((r) => toWorkflowStatus(r, NO_PAYLOADS));
    return Promise.all(rows.map((r) => this.#status(r, filter.loadInput, filter.loadOutput)));
  }

  /** Maps a status row, decoding its payloads. A payload this client cannot read becomes its typed error, never garbage. */
  async #status(row: StatusRow, loadInput: boolean, loadOutput: boolean): Promise<WorkflowStatus> {
    const id = row.workflow_uuid;
    const ser = row.serialization;
    const payloads: { -readonly [K in Payload]?: WorkflowStatus[K] } = {};
    if (loadInput && row.inputs != null) {
      const inputs = await readable(this.#scope.codec.decodeInputs(row.inputs, ser, `the input of workflow ${id}`));
      if (inputs instanceof DBOSSerializationError) payloads.input = inputs;
      else if (inputs) {
        payloads.input = inputs.args;
        if (inputs.namedArgs) payloads.namedArgs = inputs.namedArgs;
      }
    }
    if (loadOutput && row.output != null) {
      payloads.output = await readable(this.#scope.codec.decode(row.output, ser, `the output of workflow ${id}`));
    }
    if (loadOutput && row.error != null) {
      payloads.error = await readable(
        decodeError(this.#scope.codec, id, row.error, ser, `the error of workflow ${id}`),
      );
    }
    return toWorkflowStatus(row, payloads);
  }
}

/** The fields a listing fills only when asked to load payloads. */
type Payload = 'input' | 'namedArgs' | 'output' | 'error';
const NO_PAYLOADS: Pick<WorkflowStatus, Payload> = {};

/** A stored workflow or step error, rebuilt as `DBOSWorkflowError` (name, message, code, data). */
export async function decodeError(
  codec: Codec,
  id: string,
  text: unknown,
  serialization: string | null,
  what: string,
): Promise<DBOSWorkflowError> {
  const value = await codec.decode(text as string | null, serialization, what, 'error');
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

/** `authenticated_roles` is a JSON array as text; anything else reads as no roles. */
function roles(text: string | null): string[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

const optional = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** Maps a `workflow_status` row to its public shape; payload fields are decoded by the caller. */
function toWorkflowStatus(row: StatusRow, payloads: Pick<WorkflowStatus, Payload>): WorkflowStatus {
  return {
    workflowID: row.workflow_uuid,
    status: row.status,
    workflowName: row.name ?? '',
    workflowClassName: row.class_name ?? '',
    workflowConfigName: row.config_name ?? '',
    queueName: optional(row.queue_name),
    authenticatedUser: optional(row.authenticated_user),
    assumedRole: optional(row.assumed_role),
    authenticatedRoles: roles(row.authenticated_roles),
    ...payloads,
    executorId: optional(row.executor_id),
    applicationVersion: optional(row.application_version),
    applicationName: optional(row.application_name),
    recoveryAttempts: row.recovery_attempts ?? 0,
    createdAt: row.created_at ?? 0,
    updatedAt: optional(row.updated_at),
    timeoutMS: optional(row.workflow_timeout_ms),
    deadlineEpochMS: optional(row.workflow_deadline_epoch_ms),
    deduplicationID: optional(row.deduplication_id),
    priority: row.priority ?? 0,
    queuePartitionKey: optional(row.queue_partition_key),
    dequeuedAt: optional(row.started_at_epoch_ms),
    delayUntilEpochMS: optional(row.delay_until_epoch_ms),
    completedAt: optional(row.completed_at),
    forkedFrom: optional(row.forked_from),
    wasForkedFrom: row.was_forked_from === true,
    parentWorkflowID: optional(row.parent_workflow_id),
    attributes: optional(row.attributes),
    scheduleName: optional(row.schedule_name),
    serialization: optional(row.serialization),
  };
}
