/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked with a validator against the official schema), generated from
 * the same valibot schemas the routes validate with, and listing every route the app serves.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/http/config.ts';
import { consoleRoutes } from '../../../src/http/console.ts';
import { createApp, jsonSchemaOf, routeTable } from '../../../src/http/index.ts';
import { messageRoutes } from '../../../src/http/messages.ts';
import { queueRoutes } from '../../../src/http/queues.ts';
import type { AnyRoute, Examples } from '../../../src/http/route.ts';
import { scheduleRoutes } from '../../../src/http/schedules.ts';
import { requestSchemas } from '../../../src/http/schemas.ts';
import { webhookRoutes } from '../../../src/http/webhooks.ts';
import { workflowRoutes } from '../../../src/http/workflows.ts';
import { DBOSClient } from '../../../src/index.ts';
import { EnqueueOptionsSchema } from '../../../src/options.ts';
import { TOKENS, WHSEC } from './helpers.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, unknown>;
};

let client: DBOSClient;
let app: ReturnType<typeof createApp>;
let doc: Doc;
beforeAll(async () => {
  client = new DBOSClient({ systemDatabaseUrl: 'postgres://unused@127.0.0.1:1/none' });
  app = createApp({
    client,
    tokens: TOKENS,
    logger: false,
    webhooks: { w: { verify: 'standard-webhooks', secret: WHSEC, send: {} } },
  });
  doc = (await (await app.request('/openapi.json')).json()) as Doc;
});
afterAll(() => client.destroy());

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route the app serves, and nothing else', () => {
    const served = routeTable(app)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    for (const route of [
      'post /v1/workflows',
      'get /v1/workflows/{workflowID}/result',
      'get /v1/workflows/{workflowID}/streams/{key}',
      'post /v1/schedules/tick',
      'post /v1/webhooks/{name}',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('is generated from the valibot schemas the routes validate with', () => {
    const enqueue = doc.paths['/v1/workflows']?.post?.requestBody as {
      content: { 'application/json': { schema: { properties: { options: unknown } } } };
    };
    expect(enqueue.content['application/json'].schema.properties.options).toEqual(jsonSchemaOf(EnqueueOptionsSchema));
    const list = doc.paths['/v1/workflows']?.get?.parameters as { name: string; schema?: Record<string, unknown> }[];
    expect(list.map((p) => p.name)).toEqual(
      expect.arrayContaining(['status', 'workflowIDs', 'limit', 'offset', 'attributes']),
    );
    expect(list.find((p) => p.name === 'limit')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
  });

  it('marks each management route with bearer auth and its scope, and webhooks and docs as open', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const op of Object.values(methods)) {
        const access = op['x-access'];
        if (access === 'read' || access === 'full') expect(op.security).toEqual([{ bearerAuth: [] }]);
        else expect({ path, security: op.security }).toEqual({ path, security: [] });
      }
    }
    expect(doc.paths['/v1/workflows']?.post?.['x-access']).toBe('full');
    expect(doc.paths['/v1/workflows']?.get?.['x-access']).toBe('read');
  });
});

/** The routes of the app's modules, built as createApp builds them, with the valibot schemas they validate with. */
function moduleRoutes(): AnyRoute[] {
  const s = requestSchemas(DEFAULT_LIMITS);
  return [
    ...workflowRoutes(s),
    ...messageRoutes(s),
    ...scheduleRoutes(s),
    ...queueRoutes(s),
    ...webhookRoutes(s, {}),
    ...consoleRoutes(s, async () => ({ scope: 'full', open: false })),
  ];
}

interface CheckedExample {
  where: string;
  schema: v.GenericSchema;
  value: unknown;
}

/** Every example of the routes beside the schema it claims to follow. */
function examplesWithSchemas(routes: readonly AnyRoute[]): CheckedExample[] {
  const out: CheckedExample[] = [];
  const add = (where: string, schema: v.GenericSchema | undefined, examples: Examples | undefined) => {
    for (const [name, example] of Object.entries(examples ?? {})) {
      if (!schema) throw new Error(`${where} ${name}: an example without a schema to check it against`);
      out.push({ where: `${where} ${name}`, schema, value: example.value });
    }
  };
  for (const r of routes) {
    add(`${r.operationId} body`, r.body, r.bodyExamples);
    for (const [status, doc] of Object.entries(r.responses))
      add(`${r.operationId} ${status}`, doc.schema, doc.examples);
  }
  return out;
}

/** The issues valibot finds in each example, by example; empty when every example fits its schema. */
function misfits(examples: readonly CheckedExample[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { where, schema, value } of examples) {
    const result = v.safeParse(schema, value);
    if (!result.success) out[where] = result.issues.map((i) => `${v.getDotPath(i) ?? ''}: ${i.message}`);
  }
  return out;
}

type MediaTypes = Record<string, { examples?: Record<string, { summary: string; value: unknown }> }>;
type Operation = {
  operationId: string;
  requestBody?: { content: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
};

describe('/openapi.json examples', () => {
  const routes = moduleRoutes();

  it('covers every route the app serves but its own three (health, document, page)', () => {
    const documented = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((op) => String(op.operationId)),
    );
    expect([...routes.map((r) => r.operationId), 'health', 'openapi', 'docs'].sort()).toEqual(documented.sort());
  });

  it('has a request example for every route with a JSON body, and response examples for the main routes', () => {
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods)) as unknown as Operation[];
    const withJsonBody = operations.filter((op) => op.requestBody?.content['application/json']?.examples !== undefined);
    const jsonBodies = operations.filter((op) => routes.find((r) => r.operationId === op.operationId)?.body);
    expect(jsonBodies.length).toBeGreaterThan(15);
    expect(withJsonBody.map((op) => op.operationId).sort()).toEqual(jsonBodies.map((op) => op.operationId).sort());

    const answered = (operationId: string, status: number) => {
      const op = operations.find((o) => o.operationId === operationId);
      return Object.keys(op?.responses[status]?.content?.['application/json']?.examples ?? {}).length > 0;
    };
    for (const [operationId, status] of [
      ['enqueue', 201],
      ['enqueueMany', 200],
      ['getWorkflow', 200],
      ['getResult', 200],
      ['getResult', 202],
      ['listWorkflowSteps', 200],
      ['send', 200],
      ['getEvent', 200],
      ['getEvent', 202],
      ['createSchedule', 201],
      ['listSchedules', 200],
      ['runScheduleTick', 200],
      ['listQueueCounts', 200],
      ['listQueues', 200],
      ['registerQueue', 200],
    ] as const) {
      expect({ operationId, status, answered: answered(operationId, status) }).toEqual({
        operationId,
        status,
        answered: true,
      });
    }
  });

  it('emits each route example as an OpenAPI 3.1 Example Object beside its schema', () => {
    const enqueue = doc.paths['/v1/workflows']?.post as unknown as Operation;
    const route = routes.find((r) => r.operationId === 'enqueue');
    expect(enqueue.requestBody?.content['application/json']?.examples).toEqual(route?.bodyExamples);
    expect(enqueue.responses['201']?.content?.['application/json']?.examples).toEqual(route?.responses[201]?.examples);
    const typescript = enqueue.requestBody?.content['application/json']?.examples?.typescript;
    expect(typescript?.summary).toEqual(expect.any(String));
    expect(typescript?.value).toMatchObject({ options: { queueName: 'orders' } });
  });

  it('validates every example against the valibot schema of its body or response', () => {
    const examples = examplesWithSchemas(routes);
    expect(examples.length).toBeGreaterThan(30);
    expect(misfits(examples)).toEqual({});
  });

  it('catches an example that drifts from its schema', () => {
    const enqueue = routes.find((r) => r.operationId === 'enqueue') as AnyRoute;
    const good = enqueue.bodyExamples?.typescript?.value as { options: Record<string, unknown>; args: unknown[] };
    const { queueName: _dropped, ...withoutQueue } = good.options;
    const drifted: AnyRoute = {
      ...enqueue,
      bodyExamples: {
        noQueue: { summary: 'queueName is required', value: { ...good, options: withoutQueue } },
        renamed: { summary: 'an unknown field', value: { ...good, arguments: good.args } },
      },
      responses: {
        201: {
          description: 'Enqueued',
          schema: enqueue.responses[201]?.schema,
          examples: { id: { summary: 'a number', value: { workflowID: 42 } } },
        },
      },
    };
    expect(Object.keys(misfits(examplesWithSchemas([drifted]))).sort()).toEqual([
      'enqueue 201 id',
      'enqueue body noQueue',
      'enqueue body renamed',
    ]);
  });
});
