/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked with a validator against the official schema), generated from
 * the same valibot schemas the routes validate with, and listing every route the app serves.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, jsonSchemaOf, routeTable } from '../../../src/http/index.ts';
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
