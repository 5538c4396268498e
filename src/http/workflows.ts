/**
 * Workflow routes: enqueue, read, long-poll results, steps, cancel, resume, fork, list, list queued, wait-first.
 * Long polls wait at most `timeoutMs` (default 0: answer at once; at most the configured `maxWaitMs`) and answer
 * 202 with `ready: false` when the workflow has not finished by then; ask again to keep waiting.
 */
import { DBOSNonExistentWorkflowError, DBOSWaitTimeoutError } from '../errors.ts';
import type { ListWorkflowsInput } from '../options.ts';
import { isActive, type WorkflowStatus } from '../status.ts';
import { utf8Length } from '../text.ts';
import type { Limits } from './config.ts';
import { jsonResponse, jsonText } from './json.ts';
import { problemFromError } from './problem.ts';
import { type AnyRoute, route } from './route.ts';
import {
  EnqueueManyResultSchema,
  QueueCountsSchema,
  type RequestSchemas,
  ResultSchema,
  StepsSchema,
  WorkflowListSchema,
  WorkflowPageSchema,
  WorkflowRefSchema,
  WorkflowRefsSchema,
  WorkflowStatusSchema,
} from './schemas.ts';

/** A finished workflow's outcome as the result route answers it. */
function result(status: WorkflowStatus) {
  return {
    workflowID: status.workflowID,
    status: status.status,
    ready: true,
    ...(status.status === 'SUCCESS' ? { output: status.output ?? null } : {}),
    ...(status.status === 'ERROR' && status.error ? { error: status.error } : {}),
  };
}

/** A page of a listing (`limit`, default `defaultLimit`, from `offset`), fetched one row long to see a next page. */
async function page<T>(
  url: string,
  query: { limit?: number; offset?: number },
  limits: Limits,
  fetch: (limit: number, offset: number) => Promise<T[] | undefined>,
): Promise<{ items: T[]; nextOffset: number | null; headers: Record<string, string> } | undefined> {
  const limit = query.limit ?? limits.defaultPageSize;
  const offset = query.offset ?? 0;
  const rows = await fetch(limit + 1, offset);
  if (rows === undefined) return undefined;
  const items = fitting(rows.slice(0, limit), limits.maxResponseBytes);
  const more = rows.length > items.length;
  const nextOffset = more ? offset + items.length : null;
  const headers: Record<string, string> = {};
  if (nextOffset !== null) {
    const next = new URL(url);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(limit));
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return { items, nextOffset, headers };
}

/**
 * The first items whose JSON fits in `maxBytes` (always at least one): a page of large payloads ends early, and
 * its `nextOffset` carries on from there, so a listing's response size is bounded whatever `limit` says.
 */
function fitting<T>(items: T[], maxBytes: number): T[] {
  let bytes = 0;
  for (const [i, item] of items.entries()) {
    bytes += utf8Length(jsonText(item));
    if (bytes > maxBytes && i > 0) return items.slice(0, i);
  }
  return items;
}

/** The answer of a workflow listing route: a page of `list` under the query's filters, and how to get the next. */
async function workflowPage(
  url: string,
  query: ListWorkflowsInput,
  limits: Limits,
  list: (input: ListWorkflowsInput) => Promise<WorkflowStatus[]>,
): Promise<Response> {
  const p = await page(url, query, limits, (limit, offset) => list({ ...query, limit, offset }));
  return jsonResponse({ workflows: p?.items, nextOffset: p?.nextOffset }, 200, p?.headers);
}

/** A finished workflow as `GET /v1/workflows/{workflowID}` answers it (the examples' shared value). */
const FINISHED_WORKFLOW = {
  workflowID: 'order-42',
  status: 'SUCCESS',
  workflowName: 'processOrder',
  workflowClassName: '',
  workflowConfigName: '',
  queueName: 'orders',
  authenticatedRoles: [],
  input: [{ orderId: 42, items: 3 }],
  output: { shipped: true, trackingNumber: 'TRK-0042' },
  applicationVersion: '1.4.0',
  recoveryAttempts: 1,
  createdAt: 1796101600000,
  updatedAt: 1796101603250,
  priority: 0,
  dequeuedAt: 1796101600120,
  completedAt: 1796101603250,
  wasForkedFrom: false,
  serialization: 'portable_json',
} as const;

const location = (id: string) => ({ location: `/v1/workflows/${encodeURIComponent(id)}` });

export function workflowRoutes(s: RequestSchemas): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/workflows',
      operationId: 'enqueue',
      summary: 'Enqueue a workflow',
      description:
        'Queues `options.workflowName` on `options.queueName` with `args` (and Python `namedArgs`). An enqueue with a workflow ID in use returns that workflow (201 as well) unless `workflowIDReusePolicy` is `reject`.',
      tag: 'workflows',
      access: 'full',
      body: s.enqueueBody,
      bodyExamples: {
        typescript: {
          summary: 'A TypeScript workflow with positional arguments',
          value: {
            options: { queueName: 'orders', workflowName: 'processOrder', workflowID: 'order-42' },
            args: [{ orderId: 42, items: 3 }],
          },
        },
        python: {
          summary: 'A Python workflow with keyword arguments, deduplicated',
          value: {
            options: { queueName: 'reports', workflowName: 'build_report', deduplicationID: 'report-2026-12' },
            args: ['2026-12'],
            namedArgs: { format: 'pdf' },
          },
        },
      },
      responses: {
        201: {
          description: 'Enqueued',
          schema: WorkflowRefSchema,
          headers: { Location: 'the workflow' },
          examples: { enqueued: { summary: 'The workflow to poll', value: { workflowID: 'order-42' } } },
        },
      },
      problems: [409],
      handler: async ({ client, body }) => {
        const c = await client();
        const h = body.namedArgs
          ? await c.enqueuePortable(body.options, body.args ?? [], body.namedArgs)
          : await c.enqueue(body.options, ...(body.args ?? []));
        return jsonResponse({ workflowID: h.workflowID }, 201, location(h.workflowID));
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/batch',
      operationId: 'enqueueMany',
      summary: 'Enqueue many workflows in one statement',
      description:
        'Up to 5000 enqueues written in one statement: all or none if the database fails. Each item gets its own result: the workflow it holds, or the problem with that item alone (a deduplicated or conflicting one), which does not stop the others.',
      tag: 'workflows',
      access: 'full',
      body: s.enqueueManyBody,
      bodyExamples: {
        two: {
          summary: 'Two orders in one statement',
          value: {
            items: [
              { options: { queueName: 'orders', workflowName: 'processOrder', workflowID: 'order-43' }, args: [43] },
              {
                options: { queueName: 'orders', workflowName: 'processOrder', deduplicationID: 'customer-7' },
                args: [44],
              },
            ],
          },
        },
      },
      responses: {
        200: {
          description: 'One result per item, in order',
          schema: EnqueueManyResultSchema,
          examples: {
            oneDeduplicated: {
              summary: 'The second item was deduplicated; the first was enqueued',
              value: {
                results: [
                  { workflowID: 'order-43' },
                  {
                    problem: {
                      type: 'urn:dbos-edge:problem:conflict',
                      title: 'Deduplicated',
                      status: 409,
                      detail:
                        'Workflow 3f1c2a9e-8d4b-4c1e-9a57-2b6d0e4f7a10 was deduplicated due to an existing workflow in queue orders with deduplication ID customer-7.',
                    },
                  },
                ],
              },
            },
          },
        },
      },
      handler: async ({ client, body }) => {
        const results = await (await client()).enqueueMany(body.items);
        return jsonResponse(
          {
            results: results.map((r) =>
              r.ok ? { workflowID: r.handle.workflowID } : { problem: problemFromError(r.error).problem },
            ),
          },
          200,
        );
      },
    }),
    route({
      method: 'get',
      // Not under /v1/workflows/, where it would hide a workflow with that ID.
      path: '/v1/workflow-pages',
      operationId: 'listWorkflowsPage',
      summary: 'List workflows by cursor',
      description:
        'The filters of `GET /v1/workflows`, paged by keyset: pass `nextCursor` back as `cursor`. A deep page costs what the first does, and pages never skip or repeat a workflow while others are enqueued.',
      tag: 'workflows',
      access: 'read',
      query: s.pageQuery,
      responses: { 200: { description: 'A page of workflows', schema: WorkflowPageSchema } },
      handler: async ({ client, query, limits }) => {
        const p = await (await client()).listWorkflowsPage({ ...query, limit: query.limit ?? limits.defaultPageSize });
        return jsonResponse({ workflows: p.workflows, nextCursor: p.nextCursor ?? null }, 200);
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows',
      operationId: 'listWorkflows',
      summary: 'List workflows',
      description:
        'Every filter of `listWorkflows` as a query parameter; a list filter repeats the parameter (`status=ERROR&status=CANCELLED`), `attributes` is JSON, times are ISO 8601 or epoch ms. Paged by `limit` (default 100) and `offset`.',
      tag: 'workflows',
      access: 'read',
      query: s.listQuery,
      responses: { 200: { description: 'A page of workflows', schema: WorkflowListSchema } },
      handler: async ({ c, client, query, limits }) => {
        const dbos = await client();
        return workflowPage(c.req.url, query as ListWorkflowsInput, limits, (i) => dbos.listWorkflows(i));
      },
    }),
    route({
      method: 'get',
      path: '/v1/queues/workflows',
      operationId: 'listQueuedWorkflows',
      summary: 'List queued workflows on every queue',
      description: 'Workflows on a queue that have not finished; the filters of `GET /v1/workflows`.',
      tag: 'workflows',
      access: 'read',
      query: s.listQuery,
      responses: { 200: { description: 'A page of workflows', schema: WorkflowListSchema } },
      handler: async ({ c, client, query, limits }) => {
        const dbos = await client();
        return workflowPage(c.req.url, query as ListWorkflowsInput, limits, (i) => dbos.listQueuedWorkflows(i));
      },
    }),
    route({
      method: 'get',
      path: '/v1/queue-counts',
      operationId: 'listQueueCounts',
      summary: 'How many unfinished workflows each queue holds, by status',
      description: 'Exact counts (one statement) of ENQUEUED, DELAYED and PENDING workflows per queue.',
      tag: 'workflows',
      access: 'read',
      responses: {
        200: {
          description: 'One entry per queue',
          schema: QueueCountsSchema,
          examples: {
            twoQueues: {
              summary: 'Two busy queues',
              value: {
                queues: [
                  { queueName: 'orders', ENQUEUED: 120, DELAYED: 4, PENDING: 8 },
                  { queueName: 'reports', ENQUEUED: 0, DELAYED: 0, PENDING: 1 },
                ],
              },
            },
          },
        },
      },
      handler: async ({ client }) => jsonResponse({ queues: await (await client()).listQueueCounts() }),
    }),
    route({
      method: 'get',
      path: '/v1/queues/{queueName}/workflows',
      operationId: 'listQueueWorkflows',
      summary: 'List the queued workflows of one queue',
      tag: 'workflows',
      access: 'read',
      params: s.queuePath,
      query: s.queuedQuery,
      responses: { 200: { description: 'A page of workflows', schema: WorkflowListSchema } },
      handler: async ({ c, client, params, query, limits }) => {
        const dbos = await client();
        return workflowPage(c.req.url, query as ListWorkflowsInput, limits, (i) =>
          dbos.listQueuedWorkflows({ ...i, queueName: params.queueName }),
        );
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows/{workflowID}',
      operationId: 'getWorkflow',
      summary: 'A workflow with its inputs and output',
      tag: 'workflows',
      access: 'read',
      params: s.workflowPath,
      responses: {
        200: {
          description: 'The workflow',
          schema: WorkflowStatusSchema,
          examples: { finished: { summary: 'A workflow that succeeded', value: FINISHED_WORKFLOW } },
        },
      },
      problems: [404],
      handler: async ({ client, params }) => {
        const w = await (await client()).getWorkflow(params.workflowID);
        if (!w) throw new DBOSNonExistentWorkflowError(params.workflowID);
        return jsonResponse(w);
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows/{workflowID}/result',
      operationId: 'getResult',
      summary: 'The outcome of a workflow, long-polled',
      description:
        'Waits up to `timeoutMs` for the workflow to finish. 200 with its final `status` and `output` (SUCCESS) or `error` (ERROR; also CANCELLED and MAX_RECOVERY_ATTEMPTS_EXCEEDED, without either); 202 with `ready: false` and the current status if it has not finished in time: ask again.',
      tag: 'workflows',
      access: 'read',
      params: s.workflowPath,
      query: s.waitQuery,
      responses: {
        200: {
          description: 'Finished',
          schema: ResultSchema,
          examples: {
            success: {
              summary: 'Succeeded, with its output',
              value: { workflowID: 'order-42', status: 'SUCCESS', ready: true, output: FINISHED_WORKFLOW.output },
            },
            error: {
              summary: 'Failed, with its error',
              value: {
                workflowID: 'order-41',
                status: 'ERROR',
                ready: true,
                error: { name: 'Error', message: 'payment declined' },
              },
            },
          },
        },
        202: {
          description: 'Not finished within timeoutMs',
          schema: ResultSchema,
          examples: {
            running: {
              summary: 'Still running: ask again',
              value: { workflowID: 'order-42', status: 'PENDING', ready: false },
            },
          },
        },
      },
      problems: [404],
      handler: async ({ client, params, query, waitSlot }) => {
        const id = params.workflowID;
        const timeoutMs = query.timeoutMs ?? 0;
        const release = timeoutMs > 0 ? waitSlot() : () => {};
        const status = await (await client()).waitForWorkflow(id, { timeoutMs }).finally(release);
        if (!status) throw new DBOSNonExistentWorkflowError(id);
        if (!isActive(status.status)) return jsonResponse(result(status));
        return jsonResponse({ workflowID: id, status: status.status, ready: false }, 202);
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows/{workflowID}/steps',
      operationId: 'listWorkflowSteps',
      summary: "A workflow's checkpointed steps",
      tag: 'workflows',
      access: 'read',
      params: s.workflowPath,
      query: s.stepsQuery,
      responses: {
        200: {
          description: 'A page of steps',
          schema: StepsSchema,
          examples: {
            twoSteps: {
              summary: 'A step and a child workflow',
              value: {
                steps: [
                  {
                    functionID: 0,
                    name: 'reserveStock',
                    output: { reserved: 3 },
                    error: null,
                    childWorkflowID: null,
                    startedAtEpochMs: 1796101600130,
                    completedAtEpochMs: 1796101600410,
                  },
                  {
                    functionID: 1,
                    name: 'shipOrder',
                    output: null,
                    error: null,
                    childWorkflowID: 'order-42-ship',
                    startedAtEpochMs: 1796101600420,
                  },
                ],
                nextOffset: null,
              },
            },
          },
        },
      },
      problems: [404],
      handler: async ({ c, client, params, query, limits }) => {
        const dbos = await client();
        const p = await page(c.req.url, query, limits, (limit, offset) =>
          dbos.listWorkflowSteps(params.workflowID, { limit, offset }),
        );
        if (!p) throw new DBOSNonExistentWorkflowError(params.workflowID);
        return jsonResponse({ steps: p.items, nextOffset: p.nextOffset }, 200, p.headers);
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/{workflowID}/cancel',
      operationId: 'cancelWorkflow',
      summary: 'Cancel a workflow',
      tag: 'workflows',
      access: 'full',
      params: s.workflowPath,
      body: s.cancelBody,
      bodyOptional: true,
      bodyExamples: { withChildren: { summary: 'Cancel it and its descendants', value: { cancelChildren: true } } },
      responses: { 200: { description: 'Cancelled (or already finished)', schema: WorkflowRefSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        await (await client()).cancelWorkflow(params.workflowID, body);
        return jsonResponse({ workflowID: params.workflowID });
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/cancel',
      operationId: 'cancelWorkflows',
      summary: 'Cancel several workflows, all or none',
      tag: 'workflows',
      access: 'full',
      body: s.cancelManyBody,
      bodyExamples: { two: { summary: 'Two workflows', value: { workflowIDs: ['order-42', 'order-43'] } } },
      responses: { 200: { description: 'Cancelled', schema: WorkflowRefsSchema } },
      problems: [404],
      handler: async ({ client, body }) => {
        const { workflowIDs, ...options } = body;
        await (await client()).cancelWorkflows(workflowIDs, options);
        return jsonResponse({ workflowIDs });
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/{workflowID}/resume',
      operationId: 'resumeWorkflow',
      summary: 'Resume a workflow under the same ID',
      tag: 'workflows',
      access: 'full',
      params: s.workflowPath,
      body: s.resumeBody,
      bodyOptional: true,
      bodyExamples: { onQueue: { summary: 'Resume on a queue of yours', value: { queueName: 'orders' } } },
      responses: { 200: { description: 'Re-enqueued', schema: WorkflowRefSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const h = await (await client()).resumeWorkflow(params.workflowID, body);
        return jsonResponse({ workflowID: h.workflowID });
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/resume',
      operationId: 'resumeWorkflows',
      summary: 'Resume several workflows, all or none',
      tag: 'workflows',
      access: 'full',
      body: s.resumeManyBody,
      bodyExamples: {
        two: {
          summary: 'Two cancelled workflows',
          value: { workflowIDs: ['order-42', 'order-43'], queueName: 'orders' },
        },
      },
      responses: { 200: { description: 'Re-enqueued', schema: WorkflowRefsSchema } },
      problems: [404],
      handler: async ({ client, body }) => {
        const { workflowIDs, ...options } = body;
        const hs = await (await client()).resumeWorkflows(workflowIDs, options);
        return jsonResponse({ workflowIDs: hs.map((h) => h.workflowID) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/{workflowID}/fork',
      operationId: 'forkWorkflow',
      summary: 'Fork a workflow from a step',
      tag: 'workflows',
      access: 'full',
      params: s.workflowPath,
      body: s.forkBody,
      bodyExamples: {
        fromStep: {
          summary: 'Re-run from step 2 under a new ID',
          value: { startStep: 2, newWorkflowID: 'order-42-retry', applicationVersion: '1.4.1' },
        },
      },
      responses: { 201: { description: 'The new workflow', schema: WorkflowRefSchema, headers: { Location: 'it' } } },
      problems: [404, 409],
      handler: async ({ client, params, body }) => {
        const { startStep, ...options } = body;
        const h = await (await client()).forkWorkflow(params.workflowID, startStep, options);
        return jsonResponse({ workflowID: h.workflowID }, 201, location(h.workflowID));
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflows/wait-first',
      operationId: 'waitFirst',
      summary: 'Wait for the first of several workflows to finish',
      description: '200 with the first finished workflow; 202 with `workflowID: null` if none finished in `timeoutMs`.',
      tag: 'workflows',
      access: 'read',
      body: s.waitFirstBody,
      bodyExamples: {
        wait: {
          summary: 'Wait up to 10 s for either',
          value: { workflowIDs: ['order-42', 'order-43'], timeoutMs: 10000 },
        },
      },
      responses: {
        200: { description: 'The first to finish', schema: WorkflowRefSchema },
        202: { description: 'None finished within timeoutMs', schema: WorkflowRefSchema },
      },
      problems: [404],
      handler: async ({ client, body, waitSlot }) => {
        const dbos = await client();
        const ids = [...new Set(body.workflowIDs)];
        const found = await dbos.listWorkflows({ workflowIDs: ids, loadInput: false, loadOutput: false });
        const known = new Map(found.map((w) => [w.workflowID, w]));
        const missing = ids.find((id) => !known.has(id));
        if (missing !== undefined) throw new DBOSNonExistentWorkflowError(missing);
        const done = found.find((w) => !isActive(w.status));
        if (done) return jsonResponse({ workflowID: done.workflowID });
        const timeoutMs = body.timeoutMs ?? 0;
        if (timeoutMs > 0) {
          const release = waitSlot();
          try {
            const h = await dbos.waitFirst(ids, { timeoutMs });
            return jsonResponse({ workflowID: h.workflowID });
          } catch (e) {
            if (!(e instanceof DBOSWaitTimeoutError)) throw e;
          } finally {
            release();
          }
        }
        return jsonResponse({ workflowID: null }, 202);
      },
    }),
  ];
}
