/**
 * The HTTP service in front of a real DBOS worker, driven only through HTTP on a real socket (@hono/node-server):
 * enqueue and long-poll the result; read a stream as Server-Sent Events, drop the connection and resume with
 * Last-Event-ID; a webhook delivered 20 times is received by DBOS.recv exactly once.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, destinationWebhookSecret, signStandardWebhook } from '../../src/http/index.ts';
import { DBOSClient } from '../../src/index.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const TOKEN = 'interop-full-token-0123456789';
const WHSEC = `whsec_${btoa('interop webhook secret 0123456789')}`;

let client: DBOSClient;
let server: ServerType;
let base: string;

beforeAll(async () => {
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
  const app = createApp({
    client,
    tokens: [{ token: TOKEN, scope: 'full' }],
    logger: false,
    webhooks: { collect: { verify: 'standard-webhooks', secret: WHSEC, send: { topic: 'c' } } },
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await client?.destroy();
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function enqueue(workflowName: string, args: unknown[]): Promise<string> {
  const r = await api('POST', '/v1/workflows', { options: { queueName: 'interop', workflowName }, args });
  expect(r.status).toBe(201);
  return String(r.json.workflowID);
}

async function result(id: string) {
  for (;;) {
    const r = await api('GET', `/v1/workflows/${encodeURIComponent(id)}/result?timeoutMs=20000`);
    if (r.status !== 202) return r;
  }
}

/** Reads SSE events until `stopAfter` values (then drops the connection) or the end event. */
async function readSse(path: string, headers: Record<string, string>, stopAfter = Number.POSITIVE_INFINITY) {
  const abort = new AbortController();
  const r = await fetch(`${base}${path}`, { headers: { ...auth, ...headers }, signal: abort.signal });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (r.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const values: { id: number; data: unknown }[] = [];
  let buffer = '';
  let ended = false;
  while (!ended && values.length < stopAfter) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((l) => !l.startsWith(':') && l.includes(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
      );
      if (fields.event === 'end') ended = true;
      else if (fields.event === 'error') throw new Error(`stream error: ${fields.data}`);
      else if (fields.data !== undefined) values.push({ id: Number(fields.id), data: JSON.parse(fields.data) });
      if (values.length >= stopAfter) break;
      cut = buffer.indexOf('\n\n');
    }
  }
  abort.abort();
  return { values, ended };
}

describe('the HTTP service with a real DBOS worker', () => {
  it('enqueues a workflow and long-polls its result', async () => {
    const id = await enqueue('add', [2, 3]);
    const r = await result(id);
    expect(r).toEqual({ status: 200, json: { workflowID: id, status: 'SUCCESS', ready: true, output: 5 } });
    const status = await api('GET', `/v1/workflows/${id}`);
    expect(status.json).toMatchObject({ workflowID: id, status: 'SUCCESS', input: [2, 3], output: 5 });
    expect(typeof status.json.completedAt).toBe('number');
  });

  it('reads a stream as SSE, and resumes after a dropped connection with Last-Event-ID', async () => {
    const id = await enqueue('streamer', [6, 'close', 150]);
    const path = `/v1/workflows/${id}/streams/s`;
    const first = await readSse(path, {}, 2);
    expect(first.values).toEqual([
      { id: 0, data: { i: 0 } },
      { id: 1, data: { i: 1 } },
    ]);
    const rest = await readSse(path, { 'last-event-id': String(first.values.at(-1)?.id) });
    expect(rest.ended).toBe(true);
    expect(rest.values.map((v) => v.id)).toEqual([2, 3, 4, 5]);
    expect(rest.values.map((v) => v.data)).toEqual([{ i: 2 }, { i: 3 }, { i: 4 }, { i: 5 }]);
    expect((await result(id)).json.output).toBe(6);
  });

  it('delivers a webhook retried 20 times to DBOS.recv exactly once', async () => {
    const id = await enqueue('collector', ['c']);
    const body = JSON.stringify({ event: 'paid', order: 42 });
    const deliveryID = `msg_${crypto.randomUUID()}`;
    // A delivery naming its workflow in the path is signed with that workflow's own secret, so it cannot be replayed
    // to another workflow's path.
    const secret = await destinationWebhookSecret('standard-webhooks', WHSEC, id);
    const deliveries = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const ts = Math.floor(Date.now() / 1000) + (i % 3);
        const r = await fetch(`${base}/v1/webhooks/collect/${id}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': deliveryID,
            'webhook-timestamp': String(ts),
            'webhook-signature': await signStandardWebhook(secret, deliveryID, ts, body),
          },
          body,
        });
        return r.status;
      }),
    );
    expect(deliveries).toEqual(Array(20).fill(200));
    expect((await api('POST', `/v1/workflows/${id}/messages`, { message: 'stop', topic: 'c' })).status).toBe(200);
    const r = await result(id);
    expect(r.json).toEqual({ workflowID: id, status: 'SUCCESS', ready: true, output: [{ event: 'paid', order: 42 }] });
  });

  it('answers 404 and 401 over the socket too', async () => {
    expect((await api('GET', '/v1/workflows/does-not-exist/result?timeoutMs=100')).status).toBe(404);
    expect((await fetch(`${base}/v1/workflows`)).status).toBe(401);
  });
});
