/**
 * The HTTP request and response shapes, built from the client's own option schemas (`src/options.ts`): a rule is
 * written once and both validates the route and appears in the OpenAPI document. Response schemas only document
 * (the service writes what the client returns).
 */
import * as v from 'valibot';
import { isCursor } from '../cursor.ts';
import {
  BackfillOptionsSchema,
  CancelOptionsSchema,
  EnqueueItemSchema,
  enqueueItemsSchema,
  ForkOptionsSchema,
  id,
  instant,
  ListSchedulesSchema,
  ListStepsSchema,
  ListWorkflowsSchema,
  MessageSchema,
  MessagesSchema,
  ReadStreamOptionsSchema,
  ResumeOptionsSchema,
  ScheduleSchema,
  SchedulesSchema,
  ScheduleUpdateSchema,
  SendOptionsSchema,
  TickOptionsSchema,
} from '../options.ts';
import { WORKFLOW_STATUSES } from '../status.ts';
import type { Limits } from './config.ts';

const waitMs = (max: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max)));

/** Request schemas; limits (longest wait, largest page) come from the app's configuration. */
export function requestSchemas(limits: Limits) {
  const pageLimit = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(limits.maxPageSize)));
  return {
    workflowPath: v.strictObject({ workflowID: id() }),
    eventPath: v.strictObject({ workflowID: id(), key: id() }),
    queuePath: v.strictObject({ queueName: id() }),
    schedulePath: v.strictObject({ scheduleName: id() }),
    webhookPath: v.strictObject({ name: id() }),
    webhookSendPath: v.strictObject({ name: id(), workflowID: id() }),

    enqueueBody: EnqueueItemSchema,
    /** Up to 5000 enqueues, written in one statement: all or none. */
    enqueueManyBody: v.strictObject({ items: enqueueItemsSchema(EnqueueItemSchema) }),
    listQuery: v.strictObject({ ...ListWorkflowsSchema.entries, limit: pageLimit }),
    pageQuery: v.strictObject({
      ...v.omit(ListWorkflowsSchema, ['offset']).entries,
      limit: pageLimit,
      /** The `nextCursor` of the previous page; absent for the first. */
      cursor: v.optional(v.pipe(v.string(), v.check(isCursor, 'is not a cursor this service returned'))),
    }),
    queuedQuery: v.strictObject({ ...v.omit(ListWorkflowsSchema, ['queueName']).entries, limit: pageLimit }),
    stepsQuery: v.strictObject({ ...ListStepsSchema.entries, limit: pageLimit }),
    waitQuery: v.strictObject({
      /** How long to wait for the answer (default 0: answer at once). */
      timeoutMs: waitMs(limits.maxWaitMs),
    }),
    cancelBody: CancelOptionsSchema,
    cancelManyBody: v.strictObject({
      workflowIDs: v.pipe(v.array(id()), v.minLength(1), v.maxLength(limits.maxPageSize)),
      ...CancelOptionsSchema.entries,
    }),
    resumeBody: ResumeOptionsSchema,
    resumeManyBody: v.strictObject({
      workflowIDs: v.pipe(v.array(id()), v.minLength(1), v.maxLength(limits.maxPageSize)),
      ...ResumeOptionsSchema.entries,
    }),
    forkBody: v.strictObject({
      /** The first step to re-run; steps before it reuse the original's checkpoints. */
      startStep: v.pipe(v.number(), v.integer(), v.minValue(0)),
      ...ForkOptionsSchema.entries,
    }),
    sendBody: v.omit(MessageSchema, ['destinationID']),
    sendManyBody: v.strictObject({ messages: MessagesSchema, ...SendOptionsSchema.entries }),
    streamQuery: v.strictObject({
      /** First offset to read (default 0); a `Last-Event-ID` header wins, resuming after that offset. */
      offset: ReadStreamOptionsSchema.entries.offset,
    }),
    waitFirstBody: v.strictObject({
      workflowIDs: v.pipe(v.array(id()), v.minLength(1), v.maxLength(limits.maxPageSize)),
      timeoutMs: waitMs(limits.maxWaitMs),
    }),
    scheduleBody: ScheduleSchema,
    applySchedulesBody: v.strictObject({ schedules: SchedulesSchema }),
    scheduleUpdateBody: ScheduleUpdateSchema,
    listSchedulesQuery: v.strictObject({ ...ListSchedulesSchema.entries, limit: pageLimit }),
    triggerBody: BackfillOptionsSchema,
    backfillBody: v.strictObject({
      /** Exclusive start of the window (ISO 8601 or epoch ms). */
      start: instant(),
      /** Exclusive end of the window. */
      end: instant(),
      ...BackfillOptionsSchema.entries,
    }),
    tickBody: TickOptionsSchema,
  };
}
export type RequestSchemas = ReturnType<typeof requestSchemas>;

// ------------------------------------------------------------------ responses (documentation)

const epochMs = () => v.pipe(v.number(), v.integer(), v.description('epoch milliseconds'));
const ErrorValue = v.object({
  name: v.string(),
  message: v.string(),
  errorCode: v.optional(v.unknown()),
  data: v.optional(v.unknown()),
  code: v.optional(v.string()),
});

export const ProblemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.optional(v.string()),
  instance: v.optional(v.string()),
  requestId: v.optional(v.string()),
  errors: v.optional(v.array(v.object({ field: v.string(), rule: v.string(), message: v.string() }))),
});

export const WorkflowStatusSchema = v.object({
  workflowID: v.string(),
  status: v.picklist(WORKFLOW_STATUSES),
  workflowName: v.string(),
  workflowClassName: v.string(),
  workflowConfigName: v.string(),
  queueName: v.optional(v.string()),
  authenticatedUser: v.optional(v.string()),
  assumedRole: v.optional(v.string()),
  authenticatedRoles: v.array(v.string()),
  input: v.optional(v.unknown()),
  namedArgs: v.optional(v.record(v.string(), v.unknown())),
  output: v.optional(v.unknown()),
  error: v.optional(ErrorValue),
  executorId: v.optional(v.string()),
  applicationVersion: v.optional(v.string()),
  applicationName: v.optional(v.string()),
  recoveryAttempts: v.number(),
  createdAt: epochMs(),
  updatedAt: v.optional(epochMs()),
  timeoutMS: v.optional(v.number()),
  deadlineEpochMS: v.optional(epochMs()),
  deduplicationID: v.optional(v.string()),
  priority: v.number(),
  queuePartitionKey: v.optional(v.string()),
  dequeuedAt: v.optional(epochMs()),
  delayUntilEpochMS: v.optional(epochMs()),
  completedAt: v.optional(epochMs()),
  forkedFrom: v.optional(v.string()),
  wasForkedFrom: v.boolean(),
  parentWorkflowID: v.optional(v.string()),
  attributes: v.optional(v.record(v.string(), v.unknown())),
  scheduleName: v.optional(v.string()),
  serialization: v.optional(v.string()),
});

const nextOffset = v.pipe(
  v.nullable(v.number()),
  v.description('offset of the next page (also in a `Link: <…>; rel="next"` header); null on the last page'),
);

export const WorkflowListSchema = v.object({ workflows: v.array(WorkflowStatusSchema), nextOffset });
export const WorkflowPageSchema = v.object({
  workflows: v.array(WorkflowStatusSchema),
  nextCursor: v.pipe(
    v.nullable(v.string()),
    v.description('pass as `cursor` for the next page; null on the last page'),
  ),
});
export const EnqueueManyResultSchema = v.object({
  /** One per item, in order: the workflow it holds, or the problem with that item alone. */
  results: v.array(v.object({ workflowID: v.optional(v.string()), problem: v.optional(ProblemSchema) })),
});
export const WorkflowRefSchema = v.object({ workflowID: v.string() });
export const WorkflowRefsSchema = v.object({ workflowIDs: v.array(v.string()) });

export const ResultSchema = v.object({
  workflowID: v.string(),
  status: v.picklist(WORKFLOW_STATUSES),
  /** false (with status 202) when the workflow had not finished within `timeoutMs`. */
  ready: v.boolean(),
  output: v.optional(v.unknown()),
  error: v.optional(ErrorValue),
});

export const StepsSchema = v.object({
  steps: v.array(
    v.object({
      functionID: v.number(),
      name: v.string(),
      output: v.unknown(),
      error: v.nullable(ErrorValue),
      childWorkflowID: v.nullable(v.string()),
      startedAtEpochMs: v.optional(epochMs()),
      completedAtEpochMs: v.optional(epochMs()),
    }),
  ),
  nextOffset,
});

export const EventSchema = v.object({
  workflowID: v.string(),
  key: v.string(),
  /** false (with status 202) when the event was not set within `timeoutMs`. */
  ready: v.boolean(),
  value: v.optional(v.unknown()),
});

export const SentSchema = v.object({ sent: v.number() });

export const WorkflowScheduleSchema = v.object({
  scheduleId: v.string(),
  scheduleName: v.string(),
  workflowName: v.string(),
  workflowClassName: v.string(),
  schedule: v.string(),
  status: v.string(),
  context: v.unknown(),
  lastFiredAt: v.nullable(epochMs()),
  automaticBackfill: v.boolean(),
  cronTimezone: v.nullable(v.string()),
  queueName: v.nullable(v.string()),
  applicationName: v.optional(v.string()),
});
export const ScheduleListSchema = v.object({
  schedules: v.array(WorkflowScheduleSchema),
  /** Present when there may be more: pass it as `startAfter` for the next page. */
  nextStartAfter: v.optional(v.string()),
});
export const AppliedSchema = v.object({ applied: v.number() });

export const TickReportSchema = v.object({
  now: epochMs(),
  fired: v.number(),
  errors: v.number(),
  schedules: v.array(
    v.object({
      scheduleName: v.string(),
      fired: v.array(v.string()),
      alreadyStarted: v.number(),
      skipped: v.number(),
      error: v.optional(v.string()),
    }),
  ),
});

export const WebhookResultSchema = v.object({
  deliveryID: v.string(),
  /** The workflow enqueued, or the destination of the message. */
  workflowID: v.string(),
});

export const HealthSchema = v.object({ status: v.literal('ok') });

export const QueueCountsSchema = v.object({
  queues: v.array(v.object({ queueName: v.string(), ENQUEUED: v.number(), DELAYED: v.number(), PENDING: v.number() })),
});
