/**
 * The OpenAPI 3.1 document, generated from the route descriptions and their valibot schemas (JSON Schema draft
 * 2020-12, which OpenAPI 3.1 uses), and a self-contained docs page rendered from it (no scripts, no CDN).
 */
import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { escapeHtml, inlineMarkdown } from './markdown.ts';
import type { AnyRoute, Examples } from './route.ts';
import { ProblemSchema } from './schemas.ts';

type Json = Record<string, unknown>;

/** A valibot schema as JSON Schema 2020-12; what JSON Schema cannot say (blank checks, dates) is approximated. */
export function jsonSchemaOf(schema: v.GenericSchema): Json {
  const out = toJsonSchema(schema, {
    target: 'draft-2020-12',
    errorMode: 'ignore',
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      if (valibotSchema.type === 'date') return { type: 'string', format: 'date-time' };
      // `maxRecoveryAttempts`: accepted by no value, explained by its message.
      if (valibotSchema.type === 'custom') {
        const message = (valibotSchema as { message?: unknown }).message;
        return { not: {}, ...(typeof message === 'string' ? { description: message } : {}) };
      }
      return jsonSchema.$schema ? jsonSchema : undefined;
    },
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type === 'check' && jsonSchema.type === 'string') return { ...jsonSchema, pattern: '\\S' };
      return undefined;
    },
  }) as Json;
  delete out.$schema;
  return out;
}

const BEARER_NOTE =
  'Send `Authorization: Bearer <token>`. A **read** token may call the routes marked `x-access: read` (reads, listings, long polls, streams); a **full** token may call every route.';

const COMMON_PROBLEMS: Record<number, string> = {
  400: 'Invalid request: `errors` names each field and rule',
  401: 'Missing or invalid credentials',
  403: 'The token may not call this route (read-only token on a write)',
  404: 'No such workflow, schedule or webhook',
  409: 'Conflict: deduplicated, or the ID or name is taken',
  413: 'Request body too large',
  415: 'The request body must be JSON',
  500: 'Internal error (no details are exposed; quote the requestId)',
  503: 'The system database is unavailable',
};

type Entries = Record<string, v.GenericSchema>;

function entriesOf(schema: v.GenericSchema | undefined): Entries {
  return ((schema as { entries?: Entries } | undefined)?.entries ?? {}) as Entries;
}

function unwrap(schema: v.GenericSchema): { schema: v.GenericSchema; optional: boolean } {
  const s = schema as { type: string; wrapped?: v.GenericSchema };
  return s.type === 'optional' && s.wrapped ? { schema: s.wrapped, optional: true } : { schema, optional: false };
}

function hasType(s: Json, type: string): boolean {
  if (s.type === type) return true;
  return Array.isArray(s.anyOf) && (s.anyOf as Json[]).some((x) => hasType(x, type));
}

/** JSON Schema of each query parameter of a route (also drives the coercion of query strings). */
export function queryParameterSchemas(
  query: v.GenericSchema | undefined,
): Record<string, { schema: Json; required: boolean }> {
  return Object.fromEntries(
    Object.entries(entriesOf(query)).map(([name, entry]) => {
      const { schema, optional } = unwrap(entry);
      return [name, { schema: jsonSchemaOf(schema), required: !optional }];
    }),
  );
}

function parameters(r: AnyRoute): Json[] {
  const out: Json[] = [];
  for (const [name, entry] of Object.entries(entriesOf(r.params))) {
    out.push({ name, in: 'path', required: true, schema: jsonSchemaOf(unwrap(entry).schema) });
  }
  for (const [name, { schema, required }] of Object.entries(queryParameterSchemas(r.query))) {
    const p: Json = { name, in: 'query', required };
    if (typeof schema.description === 'string') p.description = schema.description;
    if (hasType(schema, 'object')) p.content = { 'application/json': { schema } };
    else {
      p.schema = schema;
      if (hasType(schema, 'array')) {
        p.style = 'form';
        p.explode = true;
      }
    }
    out.push(p);
  }
  for (const h of r.headers ?? []) {
    out.push({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    });
  }
  return out;
}

/** A media type object: the schema, and the examples when there are any. */
function mediaType(schema: Json, examples: Examples | undefined): Json {
  return examples && Object.keys(examples).length ? { schema, examples } : { schema };
}

function operation(r: AnyRoute): Json {
  const op: Json = { operationId: r.operationId, summary: r.summary, tags: [r.tag], 'x-access': r.access };
  if (r.description) op.description = r.description;
  const params = parameters(r);
  if (params.length) op.parameters = params;
  if (r.body) {
    op.requestBody = {
      required: !r.bodyOptional,
      content: { 'application/json': mediaType(jsonSchemaOf(r.body), r.bodyExamples) },
    };
  } else if (r.access === 'signature') {
    op.requestBody = {
      required: true,
      description: "The provider's payload, as signed",
      content: { 'application/json': { schema: {} }, '*/*': { schema: { type: 'string' } } },
    };
  }
  const responses: Json = {};
  for (const [status, doc] of Object.entries(r.responses)) {
    const res: Json = { description: doc.description };
    if (doc.schema || doc.contentType) {
      res.content = {
        [doc.contentType ?? 'application/json']: mediaType(
          doc.schema ? jsonSchemaOf(doc.schema) : { type: 'string' },
          doc.examples,
        ),
      };
    }
    if (doc.headers) {
      res.headers = Object.fromEntries(
        Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
      );
    }
    responses[status] = res;
  }
  const problems = new Set([400, 500, ...(r.problems ?? [])]);
  if (r.access !== 'public') problems.add(401);
  if (r.access === 'read' || r.access === 'full') problems.add(403);
  if (r.body || r.access === 'signature') {
    problems.add(413);
    problems.add(415);
  }
  for (const status of [...problems].sort()) responses[status] = { $ref: `#/components/responses/Problem${status}` };
  op.responses = responses;
  op.security = r.access === 'read' || r.access === 'full' ? [{ bearerAuth: [] }] : [];
  return op;
}

export interface OpenApiInfo {
  title?: string;
  version?: string;
  description?: string;
}

export function openApiDocument(routes: readonly AnyRoute[], info: OpenApiInfo = {}): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    (paths[r.path] as Json)[r.method] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'dbos-edge',
      version: info.version ?? '0.1.0',
      description:
        info.description ??
        'Drive DBOS durable workflows over HTTP. Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details. Timestamps are epoch milliseconds.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'workflows', description: 'Enqueue, inspect, wait for and manage workflows' },
      { name: 'messages', description: 'Messages, events and streams' },
      { name: 'schedules', description: 'Cron schedules and the tick' },
      { name: 'queues', description: 'Database-backed queues: their limits and owner' },
      { name: 'webhooks', description: 'Signed deliveries from any provider' },
      { name: 'service', description: 'Health and documentation' },
    ],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: BEARER_NOTE } },
      schemas: { Problem: jsonSchemaOf(ProblemSchema) },
      responses: Object.fromEntries(
        Object.entries(COMMON_PROBLEMS).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
    },
  };
}

/** How the server checks callers, for the page's auth note. */
export interface DocsAuth {
  /** True in open development mode: no tokens configured, `insecureDev` set, nothing checked. */
  readonly open: boolean;
}

function authNote(auth: DocsAuth): string {
  if (auth.open) {
    return `<div class="auth open" role="alert"><strong>Open development mode: no token is checked.</strong> ${inlineMarkdown(
      'This server runs without API tokens (`DBOS_EDGE_INSECURE_DEV`): anyone who can reach it may call every route, writes included, and the `Authorization` header is ignored. Never expose it beyond your machine; configure tokens with `DBOS_EDGE_API_TOKENS=full:<token>,read:<token>`.',
    )}</div>`;
  }
  return `<div class="auth tokens"><strong>Authentication.</strong> ${inlineMarkdown(
    `${BEARER_NOTE} \`/healthz\`, \`/openapi.json\` and \`/docs\` are open; webhooks are verified by their signature instead. A missing or unknown token is a 401, a read token on a write a 403.`,
  )}</div>`;
}

type MediaTypes = Record<string, { examples?: Record<string, { summary?: string; value: unknown }> }>;

function exampleBlocks(label: string, content: MediaTypes | undefined): string[] {
  return Object.values(content ?? {}).flatMap((media) =>
    Object.values(media.examples ?? {}).map(
      (ex) =>
        `<p>${escapeHtml(label)}${ex.summary ? `: ${inlineMarkdown(ex.summary)}` : ''}</p><pre><code>${escapeHtml(JSON.stringify(ex.value, null, 2))}</code></pre>`,
    ),
  );
}

/** The request and response examples of an operation, folded (no script needed). */
function examplesOf(op: Json): string {
  const blocks = exampleBlocks('Request body', (op.requestBody as { content?: MediaTypes } | undefined)?.content);
  for (const [status, res] of Object.entries(op.responses as Record<string, { content?: MediaTypes }>)) {
    blocks.push(...exampleBlocks(`Response ${status}`, res.content));
  }
  return blocks.length ? `<details><summary>Examples</summary>${blocks.join('')}</details>` : '';
}

/** A plain HTML page listing every operation of the document, with its examples and the server's auth mode. */
export function docsPage(doc: Json, auth: DocsAuth = { open: false }): string {
  const info = doc.info as { title: string; version: string; description: string };
  const rows: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const description = op.description ? `<br>${inlineMarkdown(String(op.description))}` : '';
      rows.push(
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(String(op['x-access']))}</td><td><b>${inlineMarkdown(String(op.summary))}</b>${description}${examplesOf(op)}</td></tr>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{white-space:nowrap;background:#f3f3f3;padding:0 .2em}pre{background:#f6f8fa;padding:.5rem;overflow:auto}pre code{white-space:pre;background:none;padding:0}.auth{padding:.8rem 1rem;border-radius:4px;margin:1rem 0}.auth.open{background:#fde2e1;border:2px solid #c0392b;font-size:1.1em}.auth.tokens{background:#eef4fb;border:1px solid #9ab}details{margin-top:.4rem}summary{cursor:pointer;color:#555}</style>
</head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
${authNote(auth)}
<p>${inlineMarkdown(info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>access</th><th>what</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>`;
}

export type { JsonSchema };
