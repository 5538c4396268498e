/** The queue routes through `app.request()` against real Postgres: register, read, change, list, delete, and problems. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, httpHarness, READ } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await httpHarness('edge_http_queues');
});
afterAll(() => h?.close());

const json = async (r: Response) => (await r.json()) as Record<string, unknown> & { errors?: Record<string, string>[] };

describe('/v1/queues', () => {
  it('registers a queue with PUT, reads it with GET, changes it with PATCH and deletes it', async () => {
    const put = await h.call('PUT', '/v1/queues/http-q', {
      body: { globalConcurrency: 5, rateLimit: { limitPerPeriod: 2, periodSec: 1 }, applicationName: 'shop' },
    });
    expect(put.status).toBe(200);
    expect(await json(put)).toEqual({
      name: 'http-q',
      concurrency: 5,
      rateLimit: { limitPerPeriod: 2, periodSec: 1 },
      minPollingIntervalMs: 1000,
      applicationName: 'shop',
    });
    const [stored] = await h.db.sql`SELECT concurrency, rate_limit_max FROM dbos.queues WHERE name = 'http-q'`;
    expect(stored).toEqual({ concurrency: 5, rate_limit_max: 2 });

    expect(await json(await h.call('GET', '/v1/queues/http-q', { token: READ }))).toMatchObject({ concurrency: 5 });

    const patch = await h.call('PATCH', '/v1/queues/http-q', { body: { workerConcurrency: 3, rateLimit: null } });
    expect(patch.status).toBe(200);
    expect(await json(patch)).toEqual({
      name: 'http-q',
      concurrency: 5,
      workerConcurrency: 3,
      minPollingIntervalMs: 1000,
      applicationName: 'shop',
    });

    const list = await json(await h.call('GET', '/v1/queues?applicationName=shop', { token: READ }));
    expect((list.queues as { name: string }[]).map((q) => q.name)).toContain('http-q');

    expect((await h.call('DELETE', '/v1/queues/http-q')).status).toBe(204);
    expect((await h.call('DELETE', '/v1/queues/http-q')).status).toBe(204);
    expect((await h.call('GET', '/v1/queues/http-q', { token: READ })).status).toBe(404);
  });

  it('answers 409 for a queue another application owns, 404 for a missing one, 400 naming the field', async () => {
    await h.call('PUT', '/v1/queues/owned-q', { body: { applicationName: 'shop' } });
    const taken = await h.call('PUT', '/v1/queues/owned-q', { body: { applicationName: 'billing' } });
    expect(taken.status).toBe(409);
    expect((await json(taken)).detail).toContain("already registered by application 'shop'");
    expect((await h.call('PATCH', '/v1/queues/no-such-q', { body: { workerConcurrency: 1 } })).status).toBe(404);
    const bad = await h.call('PUT', '/v1/queues/bad-q', { body: { workerConcurrency: -1, bogus: 1 } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining(['body.workerConcurrency', 'body.bogus']),
    );
    const bounds = await h.call('PATCH', '/v1/queues/owned-q', {
      body: { globalConcurrency: 1, workerConcurrency: 2 },
    });
    expect(bounds.status).toBe(400);
    expect((await json(bounds)).errors).toEqual([
      {
        field: 'changes.workerConcurrency',
        rule: 'bounds',
        message: 'workerConcurrency must be less than or equal to globalConcurrency',
      },
    ]);
  });

  it('needs a full token to write and a read token to read', async () => {
    expect((await h.call('PUT', '/v1/queues/ro-q', { token: READ, body: {} })).status).toBe(403);
    expect((await h.call('GET', '/v1/queues', { token: null })).status).toBe(401);
  });

  it('documents every queue route in the OpenAPI document', async () => {
    const doc = (await json(await h.call('GET', '/openapi.json', { token: null }))) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const ops = ['/v1/queues', '/v1/queues/{queueName}'].flatMap((p) =>
      Object.values(doc.paths[p] ?? {}).map((op) => op.operationId),
    );
    expect(ops.sort()).toEqual(['deleteQueue', 'getQueue', 'listQueues', 'registerQueue', 'updateQueue']);
  });
});
