/**
 * Routes the console (the `dbos-edge` CLI and the web UI at /ui) needs beyond the client's own calls:
 * - `GET /v1/whoami`: the scope of the presented token, so a UI shows write buttons to full tokens only;
 * - `DELETE /v1/workflows/{id}`: deletes one finished workflow (404 unknown, 409 not finished);
 * - `POST /v1/workflow-bulk/{action}`: cancel, resume or delete every workflow matching a filter, in batches,
 *   answered as NDJSON: one `{ done, batch }` line per batch as it commits, then `{ count }` (or `{ problem }`),
 *   so a caller shows progress of a long bulk action over one request.
 */
import type { Context } from 'hono';
import * as v from 'valibot';
import type { DBOSClient } from '../client.ts';
import { DBOSConflictingWorkflowError, DBOSNonExistentWorkflowError } from '../errors.ts';
import type { ListWorkflowsInput } from '../options.ts';
import { isActive } from '../status.ts';
import type { Scope } from './auth.ts';
import { jsonResponse, jsonText } from './json.ts';
import { problemFromError } from './problem.ts';
import { type AnyRoute, route } from './route.ts';
import type { RequestSchemas } from './schemas.ts';

const BULK_ACTIONS = ['cancel', 'resume', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

const WhoamiSchema = v.object({
  scope: v.pipe(v.picklist(['read', 'full']), v.description('what the token may call')),
  open: v.pipe(v.boolean(), v.description('true when the service runs without tokens (local development)')),
});

const BulkBodySchema = v.strictObject({
  /** The filters of `GET /v1/workflows` (without limit and offset), as JSON. */
  filter: v.record(v.string(), v.unknown()),
  batchSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
  /** resume only: the queue to put them on. */
  queueName: v.optional(v.pipe(v.string(), v.minLength(1))),
});

const BulkLineSchema = v.object({
  done: v.optional(v.number()),
  batch: v.optional(v.number()),
  count: v.optional(v.number()),
  problem: v.optional(v.unknown()),
});

/** Deletes one finished workflow; throws not-found for an unknown ID and conflict for one still running. */
export async function deleteWorkflow(client: DBOSClient, workflowID: string): Promise<void> {
  const status = await client.getWorkflow(workflowID, { loadInput: false, loadOutput: false });
  if (!status) throw new DBOSNonExistentWorkflowError(workflowID);
  if (isActive(status.status)) {
    throw new DBOSConflictingWorkflowError(workflowID, `it is ${status.status}; cancel it before deleting`);
  }
  await client.deleteWorkflows({ filter: { workflowIDs: [workflowID] } });
}

function runBulk(client: DBOSClient, action: BulkAction, body: v.InferOutput<typeof BulkBodySchema>) {
  return (onProgress: (p: { done: number; batch: number }) => void) => {
    const target = { filter: body.filter as ListWorkflowsInput };
    const options = { onProgress, ...(body.batchSize ? { batchSize: body.batchSize } : {}) };
    if (action === 'cancel') return client.cancelWorkflows(target, options);
    if (action === 'resume') {
      return client.resumeWorkflows(target, { ...options, ...(body.queueName ? { queueName: body.queueName } : {}) });
    }
    return client.deleteWorkflows(target, options);
  };
}

const encoder = new TextEncoder();

export function consoleRoutes(
  s: RequestSchemas,
  scopeOf: (c: Context) => Promise<{ scope: Scope; open: boolean }>,
): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/whoami',
      operationId: 'whoami',
      summary: "The presented token's scope",
      tag: 'service',
      access: 'read',
      responses: { 200: { description: 'The scope', schema: WhoamiSchema } },
      handler: async ({ c }) => jsonResponse(await scopeOf(c)),
    }),
    route({
      method: 'delete',
      path: '/v1/workflows/{workflowID}',
      operationId: 'deleteWorkflow',
      summary: 'Delete a finished workflow with its steps, messages, events and streams',
      tag: 'workflows',
      access: 'full',
      params: s.workflowPath,
      responses: { 204: { description: 'Deleted' } },
      problems: [404, 409],
      handler: async ({ client, params }) => {
        await deleteWorkflow(await client(), params.workflowID);
        return new Response(null, { status: 204 });
      },
    }),
    route({
      method: 'post',
      path: '/v1/workflow-bulk/{action}',
      operationId: 'bulkWorkflows',
      summary: 'Cancel, resume or delete every workflow matching a filter, with progress',
      description:
        'Runs in batches of `batchSize` (default 1000), each its own transaction; safe to re-run. The answer is NDJSON: a `{ done, batch }` line after each batch, then `{ count }`, or `{ problem }` if a batch failed (the batches before it stay done). cancel takes unfinished workflows, resume CANCELLED and MAX_RECOVERY_ATTEMPTS_EXCEEDED ones, delete finished ones.',
      tag: 'workflows',
      access: 'full',
      params: v.strictObject({ action: v.picklist(BULK_ACTIONS) }),
      body: BulkBodySchema,
      bodyExamples: {
        failedToday: {
          summary: 'Every workflow that failed since 1 December (with `resume`: put back on `orders`)',
          value: {
            filter: { status: 'ERROR', startTime: '2026-12-01T00:00:00Z' },
            batchSize: 500,
            queueName: 'orders',
          },
        },
      },
      responses: {
        200: { description: 'Progress lines', contentType: 'application/x-ndjson', schema: BulkLineSchema },
      },
      handler: async ({ client, params, body, keepClient }) => {
        const dbos = await client();
        const release = keepClient();
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        const writer = writable.getWriter();
        // A reader that went away must not become an unhandled rejection.
        const line = (value: unknown) => writer.write(encoder.encode(`${jsonText(value)}\n`)).catch(() => {});
        let begun: () => void = () => {};
        const firstBatch = new Promise<void>((resolve) => {
          begun = resolve;
        });
        const outcome = runBulk(
          dbos,
          params.action,
          body,
        )((p) => {
          begun();
          void line(p);
        });
        // A bad filter fails before the first batch: answer it with its own status, not a 200 stream.
        try {
          await Promise.race([firstBatch, outcome]);
        } catch (e) {
          await release();
          throw e;
        }
        void outcome
          .then(
            ({ count }) => line({ count }),
            (e: unknown) => line({ problem: problemFromError(e).problem }),
          )
          .finally(async () => {
            await writer.close().catch(() => {});
            await release();
          });
        return new Response(readable, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
      },
    }),
  ];
}
