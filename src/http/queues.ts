/**
 * Queue routes: register (create or update), read, change settings, delete and list the database-backed queues
 * that DBOS workers poll. `GET /v1/queues/workflows` (in workflows.ts) lists queued workflows, so a queue named
 * `workflows` is read through the list.
 */
import * as v from 'valibot';
import { DBOSNonExistentQueueError } from '../errors.ts';
import { id } from '../options.ts';
import { QueueUpdateSchema, RegisterQueueSchema, type WorkflowQueue } from '../queues.ts';
import { jsonResponse } from './json.ts';
import { type AnyRoute, route } from './route.ts';
import type { RequestSchemas } from './schemas.ts';

const RateLimitOut = v.object({ limitPerPeriod: v.number(), periodSec: v.number() });
const QueueSchema = v.object({
  name: v.string(),
  concurrency: v.optional(v.number()),
  workerConcurrency: v.optional(v.number()),
  rateLimit: v.optional(RateLimitOut),
  partitionConcurrency: v.optional(v.number()),
  partitionWorkerConcurrency: v.optional(v.number()),
  partitionRateLimit: v.optional(RateLimitOut),
  minPollingIntervalMs: v.optional(v.number()),
  applicationName: v.optional(v.string()),
});
const QueueListSchema = v.object({ queues: v.array(QueueSchema) });

const RegisterBody = v.omit(RegisterQueueSchema, ['priorityEnabled', 'partitionQueue']);
const ListQuery = v.strictObject({
  /** Owners to list (plus unclaimed queues). Default: the service's application. */
  applicationName: v.optional(v.union([id(), v.array(id())])),
});

/** A queue as the routes answer it (the examples' shared value). */
const ORDERS_QUEUE = {
  name: 'orders',
  concurrency: 10,
  workerConcurrency: 2,
  rateLimit: { limitPerPeriod: 50, periodSec: 60 },
  applicationName: 'shop',
};

/** A queue's settings as JSON (the fields of the TS SDK's `WorkflowQueue`). */
function queueJson(q: WorkflowQueue) {
  return {
    name: q.name,
    concurrency: q.concurrency,
    workerConcurrency: q.workerConcurrency,
    rateLimit: q.rateLimit,
    partitionConcurrency: q.partitionConcurrency,
    partitionWorkerConcurrency: q.partitionWorkerConcurrency,
    partitionRateLimit: q.partitionRateLimit,
    minPollingIntervalMs: q.minPollingIntervalMs,
    applicationName: q.applicationName,
  };
}

export function queueRoutes(s: RequestSchemas): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/queues',
      operationId: 'listQueues',
      summary: 'List queues',
      description: "The queues of these applications plus unclaimed ones; by default the service's application's.",
      tag: 'queues',
      access: 'read',
      query: ListQuery,
      responses: {
        200: {
          description: 'The queues, by name',
          schema: QueueListSchema,
          examples: {
            two: { summary: 'Two queues', value: { queues: [ORDERS_QUEUE, { name: 'reports', concurrency: 1 }] } },
          },
        },
      },
      handler: async ({ client, query }) => {
        const queues = await (await client()).listQueues(query.applicationName);
        return jsonResponse({ queues: queues.map(queueJson) });
      },
    }),
    route({
      method: 'put',
      path: '/v1/queues/{queueName}',
      operationId: 'registerQueue',
      summary: 'Register a queue (create it, or update its settings)',
      description:
        "`onConflict: never_update` keeps an existing queue's settings. A queue another application owns is a 409.",
      tag: 'queues',
      access: 'full',
      params: s.queuePath,
      body: RegisterBody,
      bodyOptional: true,
      bodyExamples: {
        limited: {
          summary: '10 at once across workers, 2 per worker, 50 starts a minute',
          value: { globalConcurrency: 10, workerConcurrency: 2, rateLimit: { limitPerPeriod: 50, periodSec: 60 } },
        },
      },
      responses: {
        200: {
          description: 'The queue as stored',
          schema: QueueSchema,
          examples: { stored: { summary: 'The queue', value: ORDERS_QUEUE } },
        },
      },
      problems: [409],
      handler: async ({ client, params, body }) =>
        jsonResponse(queueJson(await (await client()).registerQueue(params.queueName, body))),
    }),
    route({
      method: 'get',
      path: '/v1/queues/{queueName}',
      operationId: 'getQueue',
      summary: 'A queue',
      tag: 'queues',
      access: 'read',
      params: s.queuePath,
      responses: { 200: { description: 'The queue', schema: QueueSchema } },
      problems: [404],
      handler: async ({ client, params }) => {
        const queue = await (await client()).retrieveQueue(params.queueName);
        if (!queue) throw new DBOSNonExistentQueueError(params.queueName);
        return jsonResponse(queueJson(queue));
      },
    }),
    route({
      method: 'patch',
      path: '/v1/queues/{queueName}',
      operationId: 'updateQueue',
      summary: "Change a queue's settings (null removes a limit)",
      description: 'One statement, checked against the limits stored now: a broken bound is a 400 and changes nothing.',
      tag: 'queues',
      access: 'full',
      params: s.queuePath,
      body: QueueUpdateSchema,
      bodyExamples: {
        noRateLimit: {
          summary: 'Drop the rate limit, allow 20 at once',
          value: { globalConcurrency: 20, rateLimit: null },
        },
      },
      responses: { 200: { description: 'The queue as stored', schema: QueueSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const queue = await (await client()).retrieveQueue(params.queueName);
        if (!queue) throw new DBOSNonExistentQueueError(params.queueName);
        await queue.update(body);
        return jsonResponse(queueJson(queue));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/queues/{queueName}',
      operationId: 'deleteQueue',
      summary: 'Delete a queue (idempotent); workflows left on it are never dequeued',
      tag: 'queues',
      access: 'full',
      params: s.queuePath,
      responses: { 204: { description: 'Deleted, or there was none' } },
      handler: async ({ client, params }) => {
        await (await client()).deleteQueue(params.queueName);
        return new Response(null, { status: 204 });
      },
    }),
  ];
}
