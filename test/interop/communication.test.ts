/**
 * Messages, events and streams between dbos-edge and a real DBOS worker: what the client sends, the workflow
 * receives with DBOS.recv; what the workflow publishes with setEvent and writeStream, the client reads back.
 * Each case runs twice: woken by LISTEN/NOTIFY, and with LISTEN off, by polling alone.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DBOSClient,
  DBOSNonExistentWorkflowError,
  DBOSStreamTimeoutError,
  DBOSWorkflowError,
} from '../../src/index.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const q = { queueName: 'interop' };

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

describe.each([
  { mode: 'LISTEN', listen: true },
  { mode: 'polling only', listen: false },
])('with $mode', ({ listen }) => {
  let client: DBOSClient;
  beforeAll(() => {
    client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName, listen });
  });
  afterAll(() => client.destroy());

  it('delivers a message to DBOS.recv, with and without a topic', async () => {
    const plain = await client.enqueue({ ...q, workflowName: 'receiver' }, null);
    await client.send(plain.workflowID, { hello: 'world' });
    expect(await plain.getResult({ timeoutMs: 20_000 })).toEqual({ hello: 'world' });

    const topical = await client.enqueue({ ...q, workflowName: 'receiver' }, 'orders');
    await client.send(topical.workflowID, 'no topic: not for this recv');
    await client.send(topical.workflowID, 'on topic', 'orders');
    expect(await topical.getResult({ timeoutMs: 20_000 })).toBe('on topic');
  });

  it('delivers 50 concurrent retries of one idempotent send exactly once', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'collector' }, 'c');
    await Promise.all(Array.from({ length: 50 }, () => client.send(h.workflowID, 'once', 'c', 'key-1')));
    await client.send(h.workflowID, 'other key', 'c', 'key-2');
    await client.send(h.workflowID, 'stop', 'c');
    expect(await h.getResult({ timeoutMs: 20_000 })).toEqual(['once', 'other key']);
  });

  it('sendMany delivers a batch in order in one call, and stores nothing if a destination is missing', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'collector' }, 'm');
    const missing = `missing-${crypto.randomUUID()}`;
    const err = await client
      .sendMany([
        { destinationID: h.workflowID, message: 'lost', topic: 'm' },
        { destinationID: missing, message: 'x' },
      ])
      .catch((e) => e);
    expect(err).toBeInstanceOf(DBOSNonExistentWorkflowError);
    expect(err.workflowID).toBe(missing);
    await client.sendMany([
      { destinationID: h.workflowID, message: 1, topic: 'm' },
      { destinationID: h.workflowID, message: 2, topic: 'm', idempotencyKey: 'k' },
      { destinationID: h.workflowID, message: 2, topic: 'm', idempotencyKey: 'k' },
      { destinationID: h.workflowID, message: 'stop', topic: 'm' },
    ]);
    expect(await h.getResult({ timeoutMs: 20_000 })).toEqual([1, 2]);
  });

  it('refuses a send to a workflow that does not exist', async () => {
    await expect(client.send(`missing-${crypto.randomUUID()}`, 'x')).rejects.toBeInstanceOf(
      DBOSNonExistentWorkflowError,
    );
  });

  it('getEvent sees values set before and after the call, and returns null at the timeout', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'emitter' });
    expect(await client.getEvent(h.workflowID, 'before', { timeoutMs: 20_000 })).toBe('early');
    const after = client.getEvent(h.workflowID, 'after', { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 100)); // the reader is waiting before the value exists
    await client.send(h.workflowID, 'go!', 'go');
    expect(await after).toEqual({ go: 'go!' });
    expect(await client.getEvent(h.workflowID, 'before', { timeoutMs: 1 })).toBe('early');
    expect(await client.getEvent(h.workflowID, 'never-set', { timeoutMs: 200 })).toBeNull();
  });

  it('readStream reads a stream written step by step, resumes at an offset, and ends at close', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'streamer' }, 5, 'close', 30);
    expect(await collect(client.readStream(h.workflowID, 's'))).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    expect(await collect(client.readStream(h.workflowID, 's', { offset: 3 }))).toEqual([{ i: 3 }, { i: 4 }]);
    expect(await h.getResult({ timeoutMs: 20_000 })).toBe(5);
  });

  it('readStream ends when the workflow fails, or returns, without closing the stream', async () => {
    const failing = await client.enqueue({ ...q, workflowName: 'streamer' }, 2, 'fail', 0);
    expect(await collect(client.readStream(failing.workflowID, 's'))).toEqual([{ i: 0 }, { i: 1 }]);
    await expect(failing.getResult({ timeoutMs: 20_000 })).rejects.toBeInstanceOf(DBOSWorkflowError);
    const returning = await client.enqueue({ ...q, workflowName: 'streamer' }, 1, 'return', 0);
    expect(await collect(client.readStream(returning.workflowID, 's'))).toEqual([{ i: 0 }]);
  });

  it('readStream throws for a missing workflow, and times out per value', async () => {
    await expect(collect(client.readStream(`missing-${crypto.randomUUID()}`, 's'))).rejects.toBeInstanceOf(
      DBOSNonExistentWorkflowError,
    );
    const idle = await client.enqueue({ ...q, workflowName: 'receiver' }, null);
    const err = await collect(client.readStream(idle.workflowID, 's', { timeoutMs: 150 })).catch((e) => e);
    expect(err).toBeInstanceOf(DBOSStreamTimeoutError);
    expect(err).toMatchObject({ workflowID: idle.workflowID, key: 's', offset: 0 });
    await client.cancelWorkflow(idle.workflowID);
  });

  it('stops reading cleanly when the consumer breaks out of the loop', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'streamer' }, 3, 'close', 0);
    for await (const value of client.readStream(h.workflowID, 's')) {
      expect(value).toEqual({ i: 0 });
      break;
    }
    await h.getResult({ timeoutMs: 20_000 });
  });
});

describe('payloads round-trip through a DBOS workflow', () => {
  let client: DBOSClient;
  beforeAll(() => {
    client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
  });
  afterAll(() => client.destroy());

  const payload = {
    when: new Date('2026-11-25T08:30:00.123Z'),
    nested: { list: [1, { deeper: [true, null] }], empty: {} },
    text: 'grüße ✓ 𝄞 中文 🚀',
    large: 'x'.repeat(1024 * 1024),
  };

  async function mirror(serializationType: 'portable' | 'native') {
    const h = await client.enqueue({ ...q, workflowName: 'mirror', serializationType });
    await client.send(h.workflowID, payload, 'payload', undefined, { serializationType });
    const result = await h.getResult({ timeoutMs: 30_000 });
    const event = await client.getEvent(h.workflowID, 'payload', { timeoutMs: 20_000 });
    const stream = await collect(client.readStream(h.workflowID, 'payload'));
    return { result, event, stream };
  }

  it('portable JSON: plain JSON both ways, a Date arrives as its ISO string', async () => {
    const expected = { ...payload, when: payload.when.toISOString() };
    expect(await mirror('portable')).toEqual({ result: expected, event: expected, stream: [expected] });
  });

  it('native (superjson): a Date stays a Date', async () => {
    const { result, event, stream } = await mirror('native');
    expect(result).toEqual(payload);
    expect(event).toEqual(payload);
    expect(stream).toEqual([payload]);
    expect((result as typeof payload).when).toBeInstanceOf(Date);
  });
});

describe('LISTEN wakes readers without waiting for a poll', () => {
  // Polls only every 10 s: a value that arrives within the 5 s timeouts below can only have come via NOTIFY.
  const slowPolling = { minIntervalMs: 10_000, maxIntervalMs: 10_000, listeningIntervalMs: 10_000 };

  it('wakes getEvent and readStream on the DBOS channels', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName, polling: slowPolling });
    const helper = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
    try {
      const h = await helper.enqueue({ ...q, workflowName: 'emitter' });
      await helper.getEvent(h.workflowID, 'before', { timeoutMs: 20_000 });
      const after = client.getEvent(h.workflowID, 'after', { timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 300)); // first check done and LISTEN up
      await helper.send(h.workflowID, 'now', 'go');
      expect(await after).toEqual({ go: 'now' });

      const s = await helper.enqueue({ ...q, workflowName: 'streamer' }, 2, 'close', 400);
      expect(await collect(client.readStream(s.workflowID, 's', { timeoutMs: 5000 }))).toEqual([{ i: 0 }, { i: 1 }]);
    } finally {
      await client.destroy();
      await helper.destroy();
    }
  });
});
