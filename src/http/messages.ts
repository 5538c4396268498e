/**
 * Communication routes: send (one, or many in one statement), events (long-polled) and streams (Server-Sent
 * Events). A stream's SSE event `id` is the value's offset: a reconnect with `Last-Event-ID: N` resumes at N + 1,
 * so a client that drops the connection misses nothing and sees nothing twice.
 */
import { DBOSNonExistentWorkflowError, DBOSStreamTimeoutError, ValidationError } from '../errors.ts';
import { jsonResponse, jsonText } from './json.ts';
import { problemFromError } from './problem.ts';
import { type AnyRoute, route } from './route.ts';
import { EventSchema, type RequestSchemas, SentSchema } from './schemas.ts';

const encoder = new TextEncoder();

export function messageRoutes(s: RequestSchemas): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/workflows/{workflowID}/messages',
      operationId: 'send',
      summary: "Send a message to a workflow's DBOS.recv(topic)",
      description: 'With an `idempotencyKey`, retries deliver the message once.',
      tag: 'messages',
      access: 'full',
      params: s.workflowPath,
      body: s.sendBody,
      bodyExamples: {
        approval: {
          summary: 'An approval for `DBOS.recv("approval")`, sent once however often it is retried',
          value: { topic: 'approval', message: { approved: true, by: 'ana' }, idempotencyKey: 'approval-order-42' },
        },
      },
      responses: {
        200: {
          description: 'Stored',
          schema: SentSchema,
          examples: { sent: { summary: 'One message', value: { sent: 1 } } },
        },
      },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const { message, topic, idempotencyKey, serializationType } = body;
        await (await client()).send(
          params.workflowID,
          message,
          topic,
          idempotencyKey,
          serializationType ? { serializationType } : undefined,
        );
        return jsonResponse({ sent: 1 });
      },
    }),
    route({
      method: 'post',
      path: '/v1/messages',
      operationId: 'sendMany',
      summary: 'Send many messages in one statement, all or none',
      tag: 'messages',
      access: 'full',
      body: s.sendManyBody,
      bodyExamples: {
        two: {
          summary: 'Two messages to two workflows',
          value: {
            messages: [
              { destinationID: 'order-42', topic: 'approval', message: { approved: true } },
              { destinationID: 'order-43', topic: 'approval', message: { approved: false, reason: 'fraud check' } },
            ],
          },
        },
      },
      responses: {
        200: {
          description: 'Stored',
          schema: SentSchema,
          examples: { sent: { summary: 'Both stored', value: { sent: 2 } } },
        },
      },
      problems: [404],
      handler: async ({ client, body }) => {
        const { messages, ...options } = body;
        await (await client()).sendMany(messages, options);
        return jsonResponse({ sent: messages.length });
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows/{workflowID}/events/{key}',
      operationId: 'getEvent',
      summary: 'An event set with DBOS.setEvent, long-polled',
      description:
        '200 with `value` once set; 202 with `ready: false` if not set within `timeoutMs` (default 0). An event set to null reads as not set, as in DBOS.',
      tag: 'messages',
      access: 'read',
      params: s.eventPath,
      query: s.waitQuery,
      responses: {
        200: {
          description: 'Set',
          schema: EventSchema,
          examples: {
            set: {
              summary: 'The event `progress` is set',
              value: { workflowID: 'order-42', key: 'progress', ready: true, value: { step: 'shipping', percent: 80 } },
            },
          },
        },
        202: {
          description: 'Not set within timeoutMs',
          schema: EventSchema,
          examples: {
            notYet: {
              summary: 'Not set yet: ask again',
              value: { workflowID: 'order-42', key: 'progress', ready: false },
            },
          },
        },
      },
      problems: [404],
      handler: async ({ client, params, query, waitSlot }) => {
        const dbos = await client();
        const { workflowID, key } = params;
        const release = (query.timeoutMs ?? 0) > 0 ? waitSlot() : () => {};
        const value = await dbos.getEvent(workflowID, key, { timeoutMs: query.timeoutMs ?? 0 }).finally(release);
        if (value !== null) return jsonResponse({ workflowID, key, ready: true, value });
        if (!(await dbos.getWorkflow(workflowID, { loadInput: false, loadOutput: false }))) {
          throw new DBOSNonExistentWorkflowError(workflowID);
        }
        return jsonResponse({ workflowID, key, ready: false }, 202);
      },
    }),
    route({
      method: 'get',
      path: '/v1/workflows/{workflowID}/streams/{key}',
      operationId: 'readStream',
      summary: 'A stream written with DBOS.writeStream, as Server-Sent Events',
      description:
        'Each value is an SSE `message` event whose `id` is its offset and `data` its JSON. The stream ends with an `end` event when the workflow closes it or finishes; a failure is an `error` event carrying a problem. Idle streams get a `: keep-alive` comment. Resume with `Last-Event-ID: <last offset seen>` (or `?offset=<first offset to read>`).',
      tag: 'messages',
      access: 'read',
      params: s.eventPath,
      query: s.streamQuery,
      headers: [
        { name: 'Last-Event-ID', description: 'the offset of the last value received; reading resumes after it' },
      ],
      responses: { 200: { description: 'The stream', contentType: 'text/event-stream' } },
      problems: [404],
      handler: async ({ c, client, params, query, keepClient, limits, waitSlot }) => {
        const { workflowID, key } = params;
        const last = c.req.header('last-event-id');
        let offset = query.offset ?? 0;
        if (last !== undefined && last !== '') {
          if (!/^\d{1,10}$/.test(last) || Number(last) >= 2_147_483_647) {
            throw new ValidationError([
              { field: 'header.Last-Event-ID', rule: 'integer', message: 'must be the offset of a stream value' },
            ]);
          }
          offset = Number(last) + 1;
        }
        const dbos = await client();
        if (!(await dbos.getWorkflow(workflowID, { loadInput: false, loadOutput: false }))) {
          throw new DBOSNonExistentWorkflowError(workflowID);
        }
        const slot = waitSlot();
        const releaseClient = keepClient();
        const release = async () => {
          slot();
          await releaseClient();
        };
        // Stop reading as soon as the client goes away, not at the next keep-alive.
        const stop = new AbortController();
        const signal = AbortSignal.any([c.req.raw.signal, stop.signal]);
        let cancelled = false;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            const write = (text: string) => {
              if (!cancelled) controller.enqueue(encoder.encode(text));
            };
            (async () => {
              try {
                write(': stream\n\n');
                for (;;) {
                  if (cancelled || signal.aborted) return;
                  try {
                    for await (const value of dbos.readStream(workflowID, key, {
                      offset,
                      timeoutMs: limits.sseKeepAliveMs,
                      signal,
                    })) {
                      if (cancelled || signal.aborted) return;
                      write(`id: ${offset}\ndata: ${jsonText(value)}\n\n`);
                      offset += 1;
                    }
                    write('event: end\ndata: {}\n\n');
                    return;
                  } catch (e) {
                    if (!(e instanceof DBOSStreamTimeoutError)) throw e;
                    write(': keep-alive\n\n');
                  }
                }
              } catch (e) {
                if (!signal.aborted) write(`event: error\ndata: ${jsonText(problemFromError(e).problem)}\n\n`);
              } finally {
                if (!cancelled) {
                  cancelled = true;
                  controller.close();
                }
                await release();
              }
            })();
          },
          cancel() {
            cancelled = true;
            stop.abort();
          },
        });
        return new Response(body, {
          status: 200,
          headers: {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache, no-transform',
            'x-accel-buffering': 'no',
          },
        });
      },
    }),
  ];
}
