/**
 * Every route of the HTTP service through `app.request()` against real Postgres: what it answers on success, and
 * the problem+json it answers on bad input (400), an unknown workflow or schedule (404) and a conflict (409).
 * No DBOS worker runs here: rows a worker would write are inserted with SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/index.ts';
import { DBOSClient } from '../../../src/index.ts';
import { FULL, type Harness, httpHarness, READ, TOKENS } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await httpHarness('edge_http_routes');
});
afterAll(() => h?.close());

const json = async (r: Response) => (await r.json()) as Record<string, unknown> & { errors?: Record<string, string>[] };
const q = { queueName: 'q', workflowName: 'w' };

async function expectProblem(r: Response, status: number, fields: string[] = []) {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const p = await json(r);
  expect(p).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:dbos-edge:problem:/),
    title: expect.any(String),
  });
  expect(p.requestId).toBe(r.headers.get('x-request-id'));
  for (const f of fields) expect(p.errors?.map((e) => e.field)).toContain(f);
  expect(JSON.stringify(p)).not.toMatch(/\bat .*\.ts:\d+|SELECT|INSERT/);
  return p;
}

describe('enqueue and read workflows', () => {
  it('enqueues with args, returns 201 and a Location, and reads the workflow back', async () => {
    const r = await h.call('POST', '/v1/workflows', {
      body: { options: { ...q, workflowID: 'http-1', priority: 3, attributes: { tenant: 'a' } }, args: [1, { b: 2 }] },
    });
    expect(r.status).toBe(201);
    expect(await json(r)).toEqual({ workflowID: 'http-1' });
    expect(r.headers.get('location')).toBe('/v1/workflows/http-1');
    const got = await json(await h.call('GET', '/v1/workflows/http-1', { token: READ }));
    expect(got).toMatchObject({ workflowID: 'http-1', status: 'ENQUEUED', input: [1, { b: 2 }], priority: 3 });
    expect(typeof got.createdAt).toBe('number');
  });

  it('enqueues with named args (portable) and returns the same workflow for the same ID', async () => {
    const body = { options: { ...q, workflowID: 'http-named' }, args: [1], namedArgs: { k: 'v' } };
    expect((await h.call('POST', '/v1/workflows', { body })).status).toBe(201);
    expect((await h.call('POST', '/v1/workflows', { body })).status).toBe(201);
    const [row] = await h.db.sql`SELECT inputs FROM dbos.workflow_status WHERE workflow_uuid = 'http-named'`;
    expect(JSON.parse(String(row?.inputs))).toEqual({ positionalArgs: [1], namedArgs: { k: 'v' } });
  });

  it('refuses bad options, naming each field and rule', async () => {
    const r = await h.call('POST', '/v1/workflows', {
      body: { options: { queueName: '', priority: -1, bogus: 1, maxRecoveryAttempts: 3 }, args: 'x' },
    });
    const p = await expectProblem(r, 400, [
      'body.options.queueName',
      'body.options.workflowName',
      'body.options.priority',
      'body.options.bogus',
      'body.options.maxRecoveryAttempts',
      'body.args',
    ]);
    expect(p.errors).toContainEqual({ field: 'body.options.workflowName', rule: 'required', message: 'is required' });
    expect(p.errors).toContainEqual(expect.objectContaining({ field: 'body.options.bogus', rule: 'unknown_field' }));
    expect(p.errors).toContainEqual(expect.objectContaining({ field: 'body.options.priority', rule: 'min_value' }));
  });

  it('answers 400 for malformed JSON, 415 for a body that is not JSON', async () => {
    const p = await expectProblem(await h.call('POST', '/v1/workflows', { body: '{"options":' }), 400, ['body']);
    expect(p.errors?.[0]?.rule).toBe('json');
    await expectProblem(
      await h.call('POST', '/v1/workflows', { body: 'a=b', headers: { 'content-type': 'text/plain' } }),
      415,
    );
  });

  it('answers 409 on a deduplication conflict and on a reused ID under the reject policy', async () => {
    const first = await h.call('POST', '/v1/workflows', { body: { options: { ...q, deduplicationID: 'd1' } } });
    expect(first.status).toBe(201);
    const p = await expectProblem(
      await h.call('POST', '/v1/workflows', { body: { options: { ...q, deduplicationID: 'd1' } } }),
      409,
    );
    expect(p.detail).toMatch(/deduplication ID d1/);
    const same = await h.call('POST', '/v1/workflows', {
      body: { options: { ...q, workflowID: 'http-1', workflowIDReusePolicy: 'reject' } },
    });
    await expectProblem(same, 409);
    const other = await h.call('POST', '/v1/workflows', {
      body: { options: { ...q, workflowName: 'other', workflowID: 'http-1' } },
    });
    await expectProblem(other, 409);
  });

  it('answers 404 for an unknown workflow', async () => {
    const p = await expectProblem(await h.call('GET', '/v1/workflows/nope'), 404);
    expect(p.detail).toBe('Workflow nope does not exist');
  });
});

describe('results, long-polled', () => {
  it('returns a finished output at once, an error with its name and code, and CANCELLED', async () => {
    const ok = await h.workflow('SUCCESS', { output: '{"total":3}' });
    expect(await json(await h.call('GET', `/v1/workflows/${ok}/result`, { token: READ }))).toEqual({
      workflowID: ok,
      status: 'SUCCESS',
      ready: true,
      output: { total: 3 },
    });
    const bad = await h.workflow('ERROR', {
      error: '{"name":"PaymentError","message":"no","code":"E1","data":{"x":1}}',
    });
    const r = await json(await h.call('GET', `/v1/workflows/${bad}/result`));
    expect(r).toEqual({
      workflowID: bad,
      status: 'ERROR',
      ready: true,
      error: { name: 'PaymentError', message: 'no', errorCode: 'E1', data: { x: 1 } },
    });
    const cancelled = await h.workflow('CANCELLED');
    expect(await json(await h.call('GET', `/v1/workflows/${cancelled}/result`))).toEqual({
      workflowID: cancelled,
      status: 'CANCELLED',
      ready: true,
    });
  });

  it('answers 202 when not finished in time, and 200 when it finishes during the wait', async () => {
    const id = await h.workflow('PENDING');
    const now = await h.call('GET', `/v1/workflows/${id}/result`);
    expect(now.status).toBe(202);
    expect(await json(now)).toEqual({ workflowID: id, status: 'PENDING', ready: false });
    const t0 = Date.now();
    const timedOut = await h.call('GET', `/v1/workflows/${id}/result?timeoutMs=150`);
    expect(timedOut.status).toBe(202);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const waiting = h.call('GET', `/v1/workflows/${id}/result?timeoutMs=10000`);
    await new Promise((r) => setTimeout(r, 100));
    await h.db.sql`UPDATE dbos.workflow_status SET status = 'SUCCESS', output = '"done"' WHERE workflow_uuid = ${id}`;
    const done = await waiting;
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({ workflowID: id, status: 'SUCCESS', ready: true, output: 'done' });
  });

  it('caps the wait and refuses a bad timeout; 404 for an unknown workflow', async () => {
    const id = await h.workflow('PENDING');
    await expectProblem(await h.call('GET', `/v1/workflows/${id}/result?timeoutMs=30001`), 400, ['query.timeoutMs']);
    await expectProblem(await h.call('GET', `/v1/workflows/${id}/result?timeoutMs=abc`), 400, ['query.timeoutMs']);
    await expectProblem(await h.call('GET', `/v1/workflows/${id}/result?wait=1`), 400, ['query.wait']);
    await expectProblem(await h.call('GET', '/v1/workflows/nope/result?timeoutMs=10'), 404);
  });
});

describe('listing', () => {
  it('filters with query parameters and pages with nextOffset and a Link header', async () => {
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/v1/workflows', {
        body: { options: { queueName: 'listq', workflowName: 'lister', workflowID: `list-${i}`, attributes: { i } } },
      });
    }
    const first = await h.call('GET', '/v1/workflows?workflowName=lister&limit=2&loadInput=false', { token: READ });
    const page1 = await json(first);
    expect((page1.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual(['list-0', 'list-1']);
    expect(page1.nextOffset).toBe(2);
    const link = first.headers.get('link');
    expect(link).toMatch(/rel="next"/);
    const next = /<([^>]+)>/.exec(String(link))?.[1] as string;
    const page2 = await json(await h.call('GET', next, { token: READ }));
    expect((page2.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual(['list-2', 'list-3']);
    const last = await json(await h.call('GET', '/v1/workflows?workflowName=lister&offset=4&limit=2'));
    expect(last.nextOffset).toBeNull();
    const filtered = await json(
      await h.call(
        'GET',
        `/v1/workflows?workflowIDs=list-1&workflowIDs=list-3&status=ENQUEUED&status=PENDING&sortDesc=true&attributes=${encodeURIComponent('{"i":3}')}&startTime=0&endTime=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      ),
    );
    expect((filtered.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual(['list-3']);
  });

  it('lists queued workflows of every queue and of one queue', async () => {
    const all = await json(await h.call('GET', '/v1/queues/workflows?workflowName=lister'));
    expect((all.workflows as unknown[]).length).toBe(5);
    await h.call('POST', '/v1/workflows/list-0/cancel');
    const one = await json(await h.call('GET', '/v1/queues/listq/workflows?limit=10'));
    expect((one.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual([
      'list-1',
      'list-2',
      'list-3',
      'list-4',
    ]);
    expect((await json(await h.call('GET', '/v1/queues/nothing/workflows'))).workflows).toEqual([]);
  });

  it('refuses bad filters, naming them', async () => {
    const r = await h.call('GET', '/v1/workflows?status=NOPE&limit=0&sortDesc=maybe&startTime=yesterday&color=red');
    await expectProblem(r, 400, ['query.status', 'query.limit', 'query.sortDesc', 'query.startTime', 'query.color']);
    await expectProblem(await h.call('GET', '/v1/workflows?limit=1001'), 400, ['query.limit']);
    await expectProblem(await h.call('GET', '/v1/queues/q/workflows?queueName=x'), 400, ['query.queueName']);
  });
});

describe('steps', () => {
  it('pages the steps of a workflow; 404 for an unknown one', async () => {
    const id = await h.workflow('SUCCESS', { output: '1' });
    for (let i = 0; i < 3; i++) {
      await h.db
        .sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output, serialization)
        VALUES (${id}, ${i}, ${`s${i}`}, ${String(i * 10)}, 'portable_json')`;
    }
    const p1 = await json(await h.call('GET', `/v1/workflows/${id}/steps?limit=2`, { token: READ }));
    expect((p1.steps as { name: string; output: unknown }[]).map((s) => [s.name, s.output])).toEqual([
      ['s0', 0],
      ['s1', 10],
    ]);
    expect(p1.nextOffset).toBe(2);
    const p2 = await json(await h.call('GET', `/v1/workflows/${id}/steps?offset=2`));
    expect((p2.steps as unknown[]).length).toBe(1);
    expect(p2.nextOffset).toBeNull();
    await expectProblem(await h.call('GET', '/v1/workflows/nope/steps'), 404);
    await expectProblem(await h.call('GET', `/v1/workflows/${id}/steps?offset=-1`), 400, ['query.offset']);
  });
});

describe('cancel, resume, fork', () => {
  it('cancels and resumes one workflow and several; 404 names the unknown one', async () => {
    const a = await h.workflow('PENDING', { queue: 'q' });
    const b = await h.workflow('ENQUEUED', { queue: 'q' });
    expect(await json(await h.call('POST', `/v1/workflows/${a}/cancel`, { body: { cancelChildren: true } }))).toEqual({
      workflowID: a,
    });
    expect((await json(await h.call('GET', `/v1/workflows/${a}`))).status).toBe('CANCELLED');
    expect(await json(await h.call('POST', `/v1/workflows/${a}/resume`))).toEqual({ workflowID: a });
    expect((await json(await h.call('GET', `/v1/workflows/${a}`))).status).toBe('ENQUEUED');
    expect(await json(await h.call('POST', '/v1/workflows/cancel', { body: { workflowIDs: [a, b] } }))).toEqual({
      workflowIDs: [a, b],
    });
    expect(
      await json(await h.call('POST', '/v1/workflows/resume', { body: { workflowIDs: [a, b], queueName: 'q2' } })),
    ).toEqual({ workflowIDs: [a, b] });
    const p = await expectProblem(
      await h.call('POST', '/v1/workflows/cancel', { body: { workflowIDs: [a, 'nope'] } }),
      404,
    );
    expect(p.detail).toMatch(/nope/);
    await expectProblem(await h.call('POST', '/v1/workflows/nope/cancel'), 404);
    await expectProblem(await h.call('POST', '/v1/workflows/nope/resume'), 404);
    await expectProblem(await h.call('POST', `/v1/workflows/${a}/cancel`, { body: { cancelChildren: 'yes' } }), 400, [
      'body.cancelChildren',
    ]);
    await expectProblem(await h.call('POST', '/v1/workflows/cancel', { body: { workflowIDs: [] } }), 400, [
      'body.workflowIDs',
    ]);
  });

  it('forks into a new workflow (201), 409 on a taken ID, 404 for an unknown original', async () => {
    const id = await h.workflow('SUCCESS', { output: '1' });
    const r = await h.call('POST', `/v1/workflows/${id}/fork`, { body: { startStep: 0, newWorkflowID: `${id}-fork` } });
    expect(r.status).toBe(201);
    expect(await json(r)).toEqual({ workflowID: `${id}-fork` });
    await expectProblem(
      await h.call('POST', `/v1/workflows/${id}/fork`, { body: { startStep: 0, newWorkflowID: `${id}-fork` } }),
      409,
    );
    await expectProblem(await h.call('POST', '/v1/workflows/nope/fork', { body: { startStep: 0 } }), 404);
    await expectProblem(await h.call('POST', `/v1/workflows/${id}/fork`, { body: { startStep: -1 } }), 400, [
      'body.startStep',
    ]);
    await expectProblem(await h.call('POST', `/v1/workflows/${id}/fork`, {}), 400, ['body']);
  });
});

describe('wait-first', () => {
  it('returns the first finished workflow, 202 when none finishes in time, 404 for an unknown one', async () => {
    const pending = await h.workflow('PENDING');
    const done = await h.workflow('SUCCESS', { output: '1' });
    expect(
      await json(
        await h.call('POST', '/v1/workflows/wait-first', { body: { workflowIDs: [pending, done] }, token: READ }),
      ),
    ).toEqual({ workflowID: done });
    const none = await h.call('POST', '/v1/workflows/wait-first', { body: { workflowIDs: [pending], timeoutMs: 50 } });
    expect(none.status).toBe(202);
    expect(await json(none)).toEqual({ workflowID: null });
    const racing = h.call('POST', '/v1/workflows/wait-first', { body: { workflowIDs: [pending], timeoutMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 100));
    await h.db.sql`UPDATE dbos.workflow_status SET status = 'ERROR' WHERE workflow_uuid = ${pending}`;
    expect(await json(await racing)).toEqual({ workflowID: pending });
    await expectProblem(await h.call('POST', '/v1/workflows/wait-first', { body: { workflowIDs: ['nope'] } }), 404);
    await expectProblem(await h.call('POST', '/v1/workflows/wait-first', { body: { workflowIDs: [] } }), 400, [
      'body.workflowIDs',
    ]);
  });
});

describe('messages and events', () => {
  it('sends one message (idempotently) and many; 404 for an unknown destination, storing nothing', async () => {
    const id = await h.workflow('PENDING');
    for (let i = 0; i < 3; i++) {
      const r = await h.call('POST', `/v1/workflows/${id}/messages`, {
        body: { message: { n: 1 }, topic: 't', idempotencyKey: 'k' },
      });
      expect(await json(r)).toEqual({ sent: 1 });
    }
    await h.call('POST', `/v1/workflows/${id}/messages`, { body: { message: 'no topic' } });
    const many = await h.call('POST', '/v1/messages', {
      body: {
        messages: [
          { destinationID: id, message: 1 },
          { destinationID: id, message: 2, topic: 't' },
        ],
      },
    });
    expect(await json(many)).toEqual({ sent: 2 });
    const rows = await h.db.sql`SELECT topic, message FROM dbos.notifications WHERE destination_uuid = ${id}
      ORDER BY created_at_epoch_ms, message`;
    expect(rows.length).toBe(4);
    const before = await h.counts();
    await expectProblem(await h.call('POST', '/v1/workflows/nope/messages', { body: { message: 1 } }), 404);
    await expectProblem(
      await h.call('POST', '/v1/messages', {
        body: {
          messages: [
            { destinationID: id, message: 1 },
            { destinationID: 'nope', message: 2 },
          ],
        },
      }),
      404,
    );
    await expectProblem(
      await h.call('POST', `/v1/workflows/${id}/messages`, { body: { message: 1, topic: ' ' } }),
      400,
      ['body.topic'],
    );
    await expectProblem(await h.call('POST', '/v1/messages', { body: { messages: [] } }), 400, ['body.messages']);
    expect(await h.counts()).toEqual(before);
  });

  it('reads an event, long-polled: 200 once set, 202 before, 404 for an unknown workflow', async () => {
    const id = await h.workflow('PENDING');
    const early = await h.call('GET', `/v1/workflows/${id}/events/k`, { token: READ });
    expect(early.status).toBe(202);
    expect(await json(early)).toEqual({ workflowID: id, key: 'k', ready: false });
    const waiting = h.call('GET', `/v1/workflows/${id}/events/k?timeoutMs=10000`);
    await new Promise((r) => setTimeout(r, 100));
    await h.db.sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
      VALUES (${id}, 'k', '{"v":1}', 'portable_json')`;
    const set = await waiting;
    expect(set.status).toBe(200);
    expect(await json(set)).toEqual({ workflowID: id, key: 'k', ready: true, value: { v: 1 } });
    await expectProblem(await h.call('GET', '/v1/workflows/nope/events/k'), 404);
    await expectProblem(await h.call('GET', `/v1/workflows/${id}/events/k?timeoutMs=-5`), 400, ['query.timeoutMs']);
  });
});

describe('streams as Server-Sent Events', () => {
  async function readAll(r: Response): Promise<string> {
    return await r.text();
  }

  it('streams values with their offsets as IDs, ends with an end event, and resumes after Last-Event-ID', async () => {
    const id = await h.workflow('PENDING');
    await h.db.sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization) VALUES
      (${id}, 's', '{"i":0}', 0, 'portable_json'), (${id}, 's', '{"i":1}', 1, 'portable_json'),
      (${id}, 's', '{"i":2}', 2, 'portable_json'), (${id}, 's', '"__DBOS_STREAM_CLOSED__"', 3, 'portable_json')`;
    const r = await h.call('GET', `/v1/workflows/${id}/streams/s`, { token: READ });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await readAll(r);
    expect(text).toContain('id: 0\ndata: {"i":0}\n\n');
    expect(text).toContain('id: 2\ndata: {"i":2}\n\n');
    expect(text).toMatch(/event: end\ndata: \{\}\n\n$/);
    const resumed = await readAll(
      await h.call('GET', `/v1/workflows/${id}/streams/s`, { headers: { 'last-event-id': '1' } }),
    );
    expect(resumed).not.toContain('id: 1\n');
    expect(resumed).toContain('id: 2\ndata: {"i":2}');
    const fromQuery = await readAll(await h.call('GET', `/v1/workflows/${id}/streams/s?offset=2`));
    expect(fromQuery.match(/^id: /gm)?.length).toBe(1);
  });

  it('waits for values written later, and ends when the workflow finishes', async () => {
    const id = await h.workflow('PENDING');
    const reading = Promise.resolve(h.call('GET', `/v1/workflows/${id}/streams/s`)).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 150));
    await h.db.sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization)
      VALUES (${id}, 's', '"late"', 0, 'portable_json')`;
    await h.db.sql`UPDATE dbos.workflow_status SET status = 'SUCCESS' WHERE workflow_uuid = ${id}`;
    const text = await reading;
    expect(text).toContain('id: 0\ndata: "late"');
    expect(text).toContain('event: end');
  });

  it('answers 404 for an unknown workflow and 400 for a bad Last-Event-ID', async () => {
    await expectProblem(await h.call('GET', '/v1/workflows/nope/streams/s'), 404);
    const id = await h.workflow('SUCCESS');
    await expectProblem(
      await h.call('GET', `/v1/workflows/${id}/streams/s`, { headers: { 'last-event-id': 'x' } }),
      400,
      ['header.Last-Event-ID'],
    );
  });
});

describe('schedules', () => {
  const schedule = { scheduleName: 'nightly', workflowName: 'scheduled', schedule: '0 3 * * *', context: { a: 1 } };

  it('creates (201), conflicts (409), gets, lists, updates, pauses, resumes and deletes', async () => {
    const created = await h.call('POST', '/v1/schedules', { body: schedule });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({
      scheduleName: 'nightly',
      status: 'ACTIVE',
      context: { a: 1 },
      lastFiredAt: null,
    });
    await expectProblem(await h.call('POST', '/v1/schedules', { body: schedule }), 409);
    expect(await json(await h.call('GET', '/v1/schedules/nightly', { token: READ }))).toMatchObject({
      schedule: '0 3 * * *',
    });
    const list = await json(await h.call('GET', '/v1/schedules?status=ACTIVE&scheduleNamePrefix=night'));
    expect((list.schedules as { scheduleName: string }[]).map((s) => s.scheduleName)).toEqual(['nightly']);
    expect(
      await json(await h.call('PATCH', '/v1/schedules/nightly', { body: { schedule: '0 4 * * *' } })),
    ).toMatchObject({
      schedule: '0 4 * * *',
    });
    expect(await json(await h.call('POST', '/v1/schedules/nightly/pause'))).toMatchObject({ status: 'PAUSED' });
    expect(await json(await h.call('POST', '/v1/schedules/nightly/resume'))).toMatchObject({ status: 'ACTIVE' });
    expect((await h.call('DELETE', '/v1/schedules/nightly')).status).toBe(204);
    expect((await h.call('DELETE', '/v1/schedules/nightly')).status).toBe(204);
    await expectProblem(await h.call('GET', '/v1/schedules/nightly'), 404);
  });

  it('answers 404 for every action on an unknown schedule, and 400 for a bad cron', async () => {
    await expectProblem(await h.call('PATCH', '/v1/schedules/none', { body: { schedule: '* * * * *' } }), 404);
    await expectProblem(await h.call('POST', '/v1/schedules/none/pause'), 404);
    await expectProblem(await h.call('POST', '/v1/schedules/none/resume'), 404);
    await expectProblem(await h.call('POST', '/v1/schedules/none/trigger'), 404);
    await expectProblem(await h.call('POST', '/v1/schedules/none/backfill', { body: { start: 0, end: 1 } }), 404);
    await expectProblem(await h.call('POST', '/v1/schedules', { body: { ...schedule, schedule: 'every day' } }), 400, [
      'schedule.schedule',
    ]);
    await expectProblem(await h.call('POST', '/v1/schedules', { body: { ...schedule, cron: 1 } }), 400, ['body.cron']);
  });

  it('applies many, triggers one run, backfills a window and runs the tick', async () => {
    const apply = await h.call('PUT', '/v1/schedules', {
      body: {
        schedules: [
          { scheduleName: 'hourly', workflowName: 'scheduled', schedule: '0 * * * *' },
          { scheduleName: 'minutely', workflowName: 'scheduled', schedule: '* * * * *' },
        ],
      },
    });
    expect(await json(apply)).toEqual({ applied: 2 });
    const trigger = await h.call('POST', '/v1/schedules/hourly/trigger');
    expect(trigger.status).toBe(201);
    expect(String((await json(trigger)).workflowID)).toMatch(/^sched-hourly-trigger-/);
    const backfill = await json(
      await h.call('POST', '/v1/schedules/hourly/backfill', {
        body: { start: '2026-01-01T00:30:00Z', end: Date.parse('2026-01-01T03:30:00Z') },
      }),
    );
    expect(backfill.workflowIDs).toEqual([
      'sched-hourly-2026-01-01T01:00:00.000Z',
      'sched-hourly-2026-01-01T02:00:00.000Z',
      'sched-hourly-2026-01-01T03:00:00.000Z',
    ]);
    const first = await json(await h.call('POST', '/v1/schedules/tick'));
    expect(typeof first.now).toBe('number');
    const later = Date.now() + 3 * 60_000;
    const tick = await json(await h.call('POST', '/v1/schedules/tick', { body: { now: later, maxCatchUp: 10 } }));
    expect(tick.now).toBe(later);
    const minutely = (tick.schedules as { scheduleName: string; fired: string[] }[]).find(
      (s) => s.scheduleName === 'minutely',
    );
    expect(minutely?.fired.length).toBeGreaterThanOrEqual(2);
    const after = await json(await h.call('GET', '/v1/schedules/minutely'));
    expect(typeof after.lastFiredAt).toBe('number');
    await expectProblem(await h.call('POST', '/v1/schedules/tick', { body: { maxCatchUp: 0 } }), 400, [
      'body.maxCatchUp',
    ]);
    await expectProblem(await h.call('POST', '/v1/schedules/hourly/backfill', { body: { start: 'x' } }), 400, [
      'body.start',
      'body.end',
    ]);
  });
});

describe('service routes and the app itself', () => {
  it('serves /healthz, /openapi.json and /docs without a token', async () => {
    expect(await json(await h.app.request('/healthz'))).toEqual({ status: 'ok' });
    expect((await json(await h.app.request('/openapi.json'))).openapi).toBe('3.1.0');
    const docs = await h.app.request('/docs');
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/v1/workflows/{workflowID}/result');
  });

  it('logs one JSON entry per request with method, path, status, ms and request ID, and no secrets', async () => {
    h.logs.length = 0;
    const r = await h.call('GET', '/v1/workflows/nope', { headers: { 'x-request-id': 'req-42' } });
    expect(r.headers.get('x-request-id')).toBe('req-42');
    expect(h.logs).toEqual([
      {
        level: 'info',
        msg: 'request',
        requestId: 'req-42',
        method: 'GET',
        path: '/v1/workflows/nope',
        status: 404,
        ms: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(h.logs)).not.toContain(FULL);
  });

  it('answers a 500 without a stack or SQL when the database fails, and logs it', async () => {
    const broken = new DBOSClient({ systemDatabaseUrl: `${h.db.url}_missing` });
    const logs: unknown[] = [];
    const app = createApp({ client: broken, tokens: TOKENS, logger: (e) => logs.push(e) });
    const r = await app.request('/v1/workflows/x', { headers: { authorization: `Bearer ${FULL}` } });
    expect([500, 503]).toContain(r.status);
    const body = await r.text();
    expect(body).not.toMatch(/missing|database|stack|\.ts:/i);
    expect(logs.some((l) => (l as { level: string }).level === 'error')).toBe(true);
    await broken.destroy();
  });

  it('creates a client per request with a factory, and destroys it when the response is done', async () => {
    const made: DBOSClient[] = [];
    const app = createApp({
      tokens: TOKENS,
      logger: false,
      clientFactory: () => {
        const c = new DBOSClient({ systemDatabaseUrl: h.db.url });
        made.push(c);
        return c;
      },
    });
    const auth = { authorization: `Bearer ${FULL}` };
    expect((await app.request('/healthz')).status).toBe(200);
    expect(made.length).toBe(0);
    const id = await h.workflow('SUCCESS', { output: '7' });
    expect(await json(await app.request(`/v1/workflows/${id}/result`, { headers: auth }))).toMatchObject({ output: 7 });
    expect((await app.request(`/v1/workflows/${id}/streams/s`, { headers: auth })).status).toBe(200);
    expect(made.length).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    // A destroyed client refuses work: both were released.
    for (const c of made) await expect(c.getWorkflow(id)).rejects.toThrow(/destroyed/);
  });
});

describe('many at once and cursor pages', () => {
  it('enqueues a batch in one call with a result per item', async () => {
    await h.call('POST', '/v1/workflows', { body: { options: { ...q, deduplicationID: 'batch-held' } } });
    const r = await h.call('POST', '/v1/workflows/batch', {
      body: {
        items: [
          { options: { ...q, workflowID: 'batch-1' }, args: [1] },
          { options: { ...q, deduplicationID: 'batch-held' } },
          { options: { ...q, workflowID: 'batch-2' }, namedArgs: { k: 1 } },
        ],
      },
    });
    expect(r.status).toBe(200);
    const { results } = (await json(r)) as unknown as { results: Record<string, unknown>[] };
    expect(results[0]).toEqual({ workflowID: 'batch-1' });
    expect(results[1]).toMatchObject({ problem: { status: 409 } });
    expect(results[2]).toEqual({ workflowID: 'batch-2' });
    await expectProblem(await h.call('POST', '/v1/workflows/batch', { body: { items: [] } }), 400, ['body.items']);
    await expectProblem(
      await h.call('POST', '/v1/workflows/batch', { body: { items: [{ options: { ...q, priority: -1 } }] } }),
      400,
      ['body.items.0.options.priority'],
    );
  });

  it('pages by cursor until nextCursor is null, never repeating a workflow', async () => {
    const prefix = 'cursor-page-';
    await h.call('POST', '/v1/workflows/batch', {
      body: { items: Array.from({ length: 25 }, (_, i) => ({ options: { ...q, workflowID: `${prefix}${i}` } })) },
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = `workflowIDPrefix=${prefix}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await json(await h.call('GET', `/v1/workflow-pages?${qs}`, { token: READ }))) as unknown as {
        workflows: { workflowID: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.workflows.map((w) => w.workflowID));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `${prefix}${i}`).sort());
    await expectProblem(await h.call('GET', '/v1/workflow-pages?cursor=nonsense', { token: READ }), 400, [
      'query.cursor',
    ]);
  });
});
