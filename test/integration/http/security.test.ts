/**
 * The security table: every route without a token, with a wrong token, and (for writes) with a read-only token;
 * tampered, expired, replayed and unsigned webhooks; oversized bodies; SQL metacharacters in every string field;
 * a hostile schema name in the configuration. Each gets its status and writes nothing (checked with SQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configFromEnv,
  createApp,
  destinationWebhookSecret,
  routeTable,
  signGithubWebhook,
  signStandardWebhook,
} from '../../../src/http/index.ts';
import { DBOSClient } from '../../../src/index.ts';
import { GITHUB_SECRET, type Harness, httpHarness, postStandardWebhook, READ, WHSEC } from './helpers.ts';

let h: Harness;
let target: string;
const NOW = Date.parse('2026-06-01T12:00:00Z');

beforeAll(async () => {
  h = await httpHarness('edge_http_sec', {
    now: () => NOW,
    limits: { maxBodyBytes: 4096 },
    webhooks: {
      orders: { verify: 'standard-webhooks', secret: WHSEC, enqueue: { queueName: 'q', workflowName: 'on_order' } },
      inbox: { verify: 'standard-webhooks', secret: WHSEC, send: { topic: 'in' } },
      gh: { verify: 'github', secret: GITHUB_SECRET, enqueue: { queueName: 'q', workflowName: 'on_push' } },
    },
  });
  target = await h.workflow('PENDING');
  await h.call('POST', '/v1/schedules', { body: { scheduleName: 'sec', workflowName: 'w', schedule: '* * * * *' } });
});
afterAll(() => h?.close());

async function routesFromDocument() {
  const doc = (await (await h.app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, { 'x-access': string }>>;
  };
  const out: { method: string; path: string; access: string }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const concrete = path
        .replace('{workflowID}', target)
        .replace('{scheduleName}', 'sec')
        .replace('{queueName}', 'q')
        .replace('{key}', 'k')
        .replace('{name}', 'orders');
      out.push({ method: method.toUpperCase(), path: concrete, access: op['x-access'] });
    }
  }
  return out;
}

const bodies: Record<string, unknown> = {
  'POST /v1/workflows': { options: { queueName: 'q', workflowName: 'w' } },
  'POST /v1/messages': { messages: [{ destinationID: 'x', message: 1 }] },
  'POST /v1/schedules': { scheduleName: 'n', workflowName: 'w', schedule: '* * * * *' },
  'PUT /v1/schedules': { schedules: [] },
};

describe('auth on every management route', () => {
  it('covers every route the app serves', async () => {
    const documented = (await routesFromDocument()).length;
    expect(documented).toBe(routeTable(h.app).length);
    expect(documented).toBeGreaterThanOrEqual(30);
  });

  for (const mode of ['no token', 'a wrong token', 'a malformed header', 'a read token on a write'] as const) {
    it(`answers ${mode} with ${mode === 'a read token on a write' ? 403 : 401} and writes nothing`, async () => {
      const routes = (await routesFromDocument()).filter((r) =>
        mode === 'a read token on a write' ? r.access === 'full' : r.access === 'read' || r.access === 'full',
      );
      expect(routes.length).toBeGreaterThan(mode === 'a read token on a write' ? 15 : 25);
      const before = await h.counts();
      for (const r of routes) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (mode === 'a wrong token') headers.authorization = 'Bearer full-token-0123456789abcdeX';
        if (mode === 'a malformed header') headers.authorization = 'Basic dXNlcjpwYXNz';
        if (mode === 'a read token on a write') headers.authorization = `Bearer ${READ}`;
        const body = JSON.stringify(bodies[`${r.method} ${r.path}`] ?? {});
        const res = await h.app.request(r.path, { method: r.method, headers, ...(r.method === 'GET' ? {} : { body }) });
        const expected = mode === 'a read token on a write' ? 403 : 401;
        expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({
          route: `${r.method} ${r.path}`,
          status: expected,
        });
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="dbos-edge"/);
      }
      expect(await h.counts()).toEqual(before);
    });
  }

  it('closes unknown paths too, and opens only /healthz, /openapi.json and /docs', async () => {
    expect((await h.app.request('/v2/anything')).status).toBe(401);
    expect((await h.app.request('/v2/anything', { headers: { authorization: `Bearer ${READ}` } })).status).toBe(404);
    const open = (await routesFromDocument()).filter((r) => r.access === 'public').map((r) => r.path);
    expect(open.sort()).toEqual(['/docs', '/healthz', '/openapi.json']);
  });

  it('refuses to build without tokens unless insecureDev, and then serves openly', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: h.db.url });
    expect(() => createApp({ client })).toThrow(/DBOS_EDGE_API_TOKENS/);
    expect(() => createApp({ client, tokens: [{ token: 'short', scope: 'full' }] })).toThrow(/16 characters/);
    const dev = createApp({ client, insecureDev: true, logger: false });
    expect((await dev.request(`/v1/workflows/${target}`)).status).toBe(200);
    await client.destroy();
  });
});

describe('webhooks: signatures, replays, nothing written when refused', () => {
  const payload = JSON.stringify({ order: 1 });

  const standard = (path: string, id: string, atMs: number, body: string, secret = WHSEC) =>
    postStandardWebhook(h.app, path, { id, atMs, body, secret });

  it.each([
    [
      'a tampered body',
      async () => {
        const ts = Math.floor(NOW / 1000);
        const sig = await signStandardWebhook(WHSEC, 'msg_t', ts, payload);
        return h.app.request('/v1/webhooks/orders', {
          method: 'POST',
          headers: { 'webhook-id': 'msg_t', 'webhook-timestamp': String(ts), 'webhook-signature': sig },
          body: JSON.stringify({ order: 2 }),
        });
      },
    ],
    [
      'a tampered delivery ID',
      async () => {
        const ts = Math.floor(NOW / 1000);
        const sig = await signStandardWebhook(WHSEC, 'msg_a', ts, payload);
        return h.app.request('/v1/webhooks/orders', {
          method: 'POST',
          headers: { 'webhook-id': 'msg_b', 'webhook-timestamp': String(ts), 'webhook-signature': sig },
          body: payload,
        });
      },
    ],
    ['another secret', () => standard('/v1/webhooks/orders', 'msg_s', NOW, payload, `whsec_${btoa('another secret')}`)],
    [
      'an expired timestamp (6 minutes old)',
      () => standard('/v1/webhooks/orders', 'msg_old', NOW - 6 * 60_000, payload),
    ],
    ['a timestamp from the future', () => standard('/v1/webhooks/orders', 'msg_new', NOW + 6 * 60_000, payload)],
    [
      'no signature',
      () => h.app.request('/v1/webhooks/orders', { method: 'POST', headers: { 'webhook-id': 'x' }, body: payload }),
    ],
    [
      'a bearer token instead of a signature',
      () =>
        h.app.request('/v1/webhooks/orders', {
          method: 'POST',
          headers: { authorization: `Bearer ${READ}` },
          body: payload,
        }),
    ],
    [
      'a bad GitHub signature',
      async () =>
        h.app.request('/v1/webhooks/gh', {
          method: 'POST',
          headers: {
            'x-hub-signature-256': await signGithubWebhook('wrong', payload),
            'x-github-delivery': 'gh-bad',
          },
          body: payload,
        }),
    ],
    [
      'a GitHub delivery without its ID',
      async () =>
        h.app.request('/v1/webhooks/gh', {
          method: 'POST',
          headers: { 'x-hub-signature-256': await signGithubWebhook(GITHUB_SECRET, payload) },
          body: payload,
        }),
    ],
  ] as [string, () => Promise<Response>][])('refuses %s with 401, writing nothing', async (_label, send) => {
    const before = await h.counts();
    const r = await send();
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(await h.counts()).toEqual(before);
  });

  it('enqueues once per delivery ID however often it is replayed within the tolerance', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await standard('/v1/webhooks/orders', 'msg_once', NOW + i * 1000, payload);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ deliveryID: 'msg_once', workflowID: 'webhook:orders:msg_once' });
    }
    const rows = await h.db
      .sql`SELECT workflow_uuid, name, inputs FROM dbos.workflow_status WHERE workflow_uuid LIKE 'webhook:orders:%'`;
    expect(rows.length).toBe(1);
    expect(JSON.parse(String(rows[0]?.inputs)).positionalArgs).toEqual([
      { order: 1 },
      { webhook: 'orders', deliveryID: 'msg_once' },
    ]);
    // The same delivery replayed after the tolerance is refused outright.
    const stale = await standard('/v1/webhooks/orders', 'msg_once', NOW - 10 * 60_000, payload);
    expect(stale.status).toBe(401);
  });

  it('sends once per delivery ID to the workflow in the path, and GitHub deliveries enqueue once', async () => {
    for (let i = 0; i < 3; i++) {
      const secret = await destinationWebhookSecret('standard-webhooks', WHSEC, target);
      expect((await standard(`/v1/webhooks/inbox/${target}`, 'msg_send', NOW, '"hello"', secret)).status).toBe(200);
    }
    const msgs = await h.db.sql`SELECT topic, message FROM dbos.notifications WHERE destination_uuid = ${target}`;
    expect(msgs.map((m) => [m.topic, m.message])).toEqual([['in', '"hello"']]);
    // A send webhook needs a destination; an enqueue webhook takes none; an unknown name is not told apart from a
    // bad signature (401), so names cannot be listed.
    expect((await standard('/v1/webhooks/inbox', 'msg_x', NOW, '1')).status).toBe(401);
    expect((await standard(`/v1/webhooks/orders/${target}`, 'msg_y', NOW, '1')).status).toBe(401);
    expect((await standard('/v1/webhooks/unknown', 'msg_z', NOW, '1')).status).toBe(401);
    expect((await standard('/v1/webhooks/inbox/nope', 'msg_w', NOW, '1')).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const r = await h.app.request('/v1/webhooks/gh', {
        method: 'POST',
        headers: {
          'x-hub-signature-256': await signGithubWebhook(GITHUB_SECRET, payload),
          'x-github-delivery': 'gh-1',
        },
        body: payload,
      });
      expect(r.status).toBe(200);
    }
    const [n] = await h.db
      .sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE workflow_uuid LIKE 'webhook:gh:sha256-%'`;
    expect(n?.n).toBe(1);
  });
});

describe('oversized bodies', () => {
  it('answers 413 on every body-taking route, with or without Content-Length, writing nothing', async () => {
    const big = JSON.stringify({ options: { queueName: 'q', workflowName: 'w' }, args: ['x'.repeat(5000)] });
    const before = await h.counts();
    const auth = { authorization: 'Bearer full-token-0123456789abcdef', 'content-type': 'application/json' };
    for (const path of ['/v1/workflows', '/v1/messages', '/v1/schedules', `/v1/workflows/${target}/messages`]) {
      const r = await h.app.request(path, { method: 'POST', headers: auth, body: big });
      expect(r.status).toBe(413);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        c.close();
      },
    });
    const r = await h.app.request('/v1/workflows', {
      method: 'POST',
      headers: auth,
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    const hook = await standard('/v1/webhooks/orders', 'msg_big', NOW, big);
    expect(hook.status).toBe(413);
    expect(await h.counts()).toEqual(before);
  });

  async function standard(path: string, id: string, at: number, body: string) {
    const ts = Math.floor(at / 1000);
    return h.app.request(path, {
      method: 'POST',
      headers: {
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': await signStandardWebhook(WHSEC, id, ts, body),
      },
      body,
    });
  }
});

describe('SQL metacharacters in every string field are data, never SQL', () => {
  const evil = [`'; DROP TABLE dbos.workflow_status; --`, `" OR 1=1 --`, `\\'; SELECT pg_sleep(5); --`, `$1 $$ ); --`];

  it.each(evil)('stores %j literally wherever a string goes', async (s) => {
    const id = `${s}-${crypto.randomUUID()}`;
    const r = await h.call('POST', '/v1/workflows', {
      body: {
        options: {
          queueName: s,
          workflowName: s,
          workflowClassName: s,
          workflowConfigName: s,
          workflowID: id,
          appVersion: s,
          deduplicationID: `${s}${id}`,
          queuePartitionKey: s,
          authenticatedUser: s,
          authenticatedRoles: [s],
          applicationName: s,
          attributes: { [s]: s },
        },
        args: [s],
      },
    });
    expect(r.status).toBe(201);
    const [row] = await h.db.sql`SELECT name, queue_name, class_name, config_name, authenticated_user
      FROM dbos.workflow_status WHERE workflow_uuid = ${id}`;
    expect(row).toEqual({ name: s, queue_name: s, class_name: s, config_name: s, authenticated_user: s });
    const path = `/v1/workflows/${encodeURIComponent(id)}`;
    expect((await h.call('GET', path)).status).toBe(200);
    expect(
      (await h.call('POST', `${path}/messages`, { body: { message: s, topic: s, idempotencyKey: s } })).status,
    ).toBe(200);
    expect((await h.call('GET', `${path}/events/${encodeURIComponent(s)}`)).status).toBe(202);
    const listed = await h.call(
      'GET',
      `/v1/workflows?workflowName=${encodeURIComponent(s)}&queueName=${encodeURIComponent(s)}&workflowIDPrefix=${encodeURIComponent(s)}`,
    );
    expect(((await listed.json()) as { workflows: unknown[] }).workflows.length).toBeGreaterThanOrEqual(1);
    const sched = await h.call('POST', '/v1/schedules', {
      body: { scheduleName: id, workflowName: s, schedule: '* * * * *', context: s, queueName: s, cronTimezone: 'UTC' },
    });
    expect(sched.status).toBe(201);
    expect((await h.call('GET', `/v1/schedules/${encodeURIComponent(id)}`)).status).toBe(200);
    expect((await h.call('DELETE', `/v1/schedules/${encodeURIComponent(id)}`)).status).toBe(204);
    // The tables are all still there.
    const [t] = await h.db.sql`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'dbos'`;
    expect(t?.n).toBeGreaterThanOrEqual(10);
  });

  it('refuses a NUL character with a 400, not a 500', async () => {
    const before = await h.counts();
    const r = await h.call('POST', '/v1/workflows', { body: { options: { queueName: 'q\u0000', workflowName: 'w' } } });
    expect(r.status).toBe(400);
    expect(await h.counts()).toEqual(before);
  });
});

describe('configuration', () => {
  it('refuses a hostile schema name before anything touches the database', async () => {
    const [before] = await h.db.sql`SELECT count(*)::int AS n FROM pg_namespace`;
    for (const schema of ['dbos"; DROP SCHEMA dbos CASCADE; --', 'a b', '1dbos', 'x'.repeat(64)]) {
      expect(() => configFromEnv({ DBOS_SYSTEM_SCHEMA: schema, DBOS_EDGE_INSECURE_DEV: '1' })).toThrow(
        expect.objectContaining({
          issues: [expect.objectContaining({ field: 'DBOS_SYSTEM_SCHEMA', rule: 'identifier' })],
        }),
      );
      expect(() => new DBOSClient({ systemDatabaseUrl: h.db.url, systemDatabaseSchemaName: schema })).toThrow();
    }
    const [after] = await h.db.sql`SELECT count(*)::int AS n FROM pg_namespace`;
    expect(after).toEqual(before);
    const [dbos] = await h.db.sql`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'dbos'`;
    expect(dbos?.n).toBeGreaterThanOrEqual(10);
  });

  it('reads tokens, webhooks and limits from the environment, refusing bad values', () => {
    const c = configFromEnv({
      DBOS_EDGE_API_TOKENS: 'full:aaaaaaaaaaaaaaaaaaaa, read:bbbbbbbbbbbbbbbbbbbb',
      DBOS_EDGE_WEBHOOKS: JSON.stringify({ gh: { verify: 'github', send: { workflowID: 'w' } } }),
      DBOS_EDGE_WEBHOOK_SECRET: 's3cret',
      DBOS_EDGE_MAX_BODY_BYTES: '2048',
      PORT: '8080',
    });
    expect(c.app.tokens?.map((t) => t.scope)).toEqual(['full', 'read']);
    expect(c.app.webhooks?.gh?.secret).toBe('s3cret');
    expect(c.app.limits?.maxBodyBytes).toBe(2048);
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(() => configFromEnv({ DBOS_EDGE_API_TOKENS: 'full:short' })).toThrow(/16 characters/);
    expect(() => configFromEnv({ DBOS_EDGE_WEBHOOKS: '{"x":{"verify":"github"}}' })).toThrow();
    expect(() =>
      configFromEnv({ DBOS_EDGE_WEBHOOKS: '{"x":{"verify":"standard-webhooks","secret":"plain","send":{}}}' }),
    ).toThrow(/whsec_/);
    expect(() => configFromEnv({ DBOS_EDGE_WEBHOOKS: 'not json' })).toThrow(/JSON/);
    expect(() => configFromEnv({ DBOS_EDGE_MAX_BODY_BYTES: '1e9' })).toThrow(/integer/);
  });
});
