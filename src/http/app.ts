/**
 * `createApp`: the whole client as a Hono app, runtime-agnostic (WebCrypto, fetch types, no Node built-ins), so the
 * Node entry and the edge entries (Cloudflare, Deno, Bun) serve the same router unchanged.
 *
 * Each request: request ID and timing (one JSON log line, no secrets) → auth (bearer token of the route's scope;
 * webhooks by signature; /healthz, /openapi.json and /docs open; unknown paths closed) → body read within the size
 * limit (413) → path, query and body validated with the route's valibot schemas (400 problem naming each field
 * and rule) → the client call → JSON, or a problem whose status comes from one table (`problem.ts`).
 */
import type { Context, Hono } from 'hono';
import { HonoBase } from 'hono/hono-base';
import { TrieRouter } from 'hono/router/trie-router';
import type { DBOSClient } from '../client.ts';
import { DBOSEdgeError, ValidationError } from '../errors.ts';
import { validate } from '../options.ts';
import { allows, bearerToken, type Scope, TokenVerifier } from './auth.ts';
import { type AppConfig, AppConfigSchema, DEFAULT_LIMITS, type Limits, type WebhookConfig } from './config.ts';
import { consoleRoutes } from './console.ts';
import { jsonResponse } from './json.ts';
import { messageRoutes } from './messages.ts';
import { docsPage, type OpenApiInfo, openApiDocument, queryParameterSchemas } from './openapi.ts';
import { type Problem, problem, problemFromError, problemResponse } from './problem.ts';
import { queueRoutes } from './queues.ts';
import { type AnyRoute, honoPath, route } from './route.ts';
import { scheduleRoutes } from './schedules.ts';
import { HealthSchema, requestSchemas } from './schemas.ts';
import { WaitSlots } from './wait-slots.ts';
import { webhookRoutes } from './webhooks.ts';
import { workflowRoutes } from './workflows.ts';

export type LogEntry = Record<string, unknown> & { level: 'info' | 'error'; msg: string };
export type Logger = (entry: LogEntry) => void;

export interface CreateAppOptions extends AppConfig {
  /** One client for every request (Node, Bun, Deno). */
  client?: DBOSClient;
  /**
   * A client per request (Cloudflare Workers, where connections cannot outlive a request): created on the first
   * use in a request, destroyed when its response is done (a stream's, when the stream ends).
   */
  clientFactory?: (c: Context) => DBOSClient | Promise<DBOSClient>;
  /** Receives one entry per request and per internal error. Default: a JSON line on the console; false: none. */
  logger?: Logger | false;
  /** The clock (milliseconds), for webhook timestamps. Default `Date.now`. */
  now?: () => number;
  /** Title, version and description of the OpenAPI document. */
  info?: OpenApiInfo;
  /** The web console (`uiApp()` of `ui.ts`), served at /ui without a token; absent: no /ui. */
  ui?: { fetch(request: Request): Response | Promise<Response> };
}

type Env = { Variables: { requestId: string } };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Strict UTF-8 (a bad byte is a 400, not U+FFFD); one decoder for every request, as decoding keeps no state. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const defaultLogger: Logger = (entry) => console.log(JSON.stringify(entry));

class TooLarge extends DBOSEdgeError {
  override name = 'TooLarge';
  constructor() {
    super('PAYLOAD_TOO_LARGE', 'The request body is larger than the service accepts');
  }
}

/** Reads a body, giving up as soon as it passes `max` bytes (a missing or lying Content-Length changes nothing). */
async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > max) throw new TooLarge();
  // A declared length within the limit: one read (the runtime enforces the length). Otherwise count chunks. The
  // body stream is touched only then: on Node, `req.body` builds a whole web Request, which `arrayBuffer()` skips.
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (bytes.byteLength > max) throw new TooLarge();
    return bytes;
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

/** Query strings to the types the route's schema expects, led by its JSON Schema; what does not fit stays a string. */
function coerceQuery(
  raw: Record<string, string[]>,
  schemas: ReturnType<typeof queryParameterSchemas>,
): Record<string, unknown> {
  const scalar = (s: Record<string, unknown>, value: string): unknown => {
    const types = new Set(
      [s.type, ...((s.anyOf as Record<string, unknown>[] | undefined) ?? []).map((x) => x.type)].filter(Boolean),
    );
    if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
    if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (types.has('object')) {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
    return value;
  };
  const out: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(raw)) {
    const s = schemas[name]?.schema;
    if (!s) {
      out[name] = values.length === 1 ? values[0] : values;
      continue;
    }
    const alternatives = [s, ...((s.anyOf as Record<string, unknown>[] | undefined) ?? [])];
    const array = alternatives.find((x) => x.type === 'array');
    if (array && (values.length > 1 || alternatives.length === 1)) {
      const items = (array.items as Record<string, unknown> | undefined) ?? {};
      out[name] = values.map((x) => scalar(items, x));
    } else {
      out[name] = values.length === 1 ? scalar(s, values[0] as string) : values;
    }
  }
  return out;
}

/**
 * The docs page is self-contained (inline style, no script): the policy allows nothing else, so even a hostile
 * string in the document could not load or run anything, and the page cannot be framed or sniffed as another type.
 */
const DOCS_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Builds the router. Throws `ValidationError` for bad configuration, including no token without `insecureDev`. */
export function createApp(options: CreateAppOptions): Hono<Env> {
  const { client: sharedClient, clientFactory, logger: loggerOption, now = Date.now, info, ui, ...rest } = options;
  const config = validate(AppConfigSchema, rest, 'options');
  if ((sharedClient === undefined) === (clientFactory === undefined)) {
    throw new ValidationError([{ field: 'options.client', rule: 'one_of', message: 'give client or clientFactory' }]);
  }
  const tokens = config.tokens ?? [];
  if (tokens.length === 0 && !config.insecureDev) {
    throw new ValidationError([
      {
        field: 'options.tokens',
        rule: 'required',
        message:
          'configure at least one API token (DBOS_EDGE_API_TOKENS=full:<token>), or set insecureDev (DBOS_EDGE_INSECURE_DEV=1) for local development',
      },
    ]);
  }
  const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits };
  if (limits.defaultPageSize > limits.maxPageSize) {
    throw new ValidationError([
      { field: 'options.limits.defaultPageSize', rule: 'max_value', message: 'must not exceed maxPageSize' },
    ]);
  }
  const open = tokens.length === 0;
  const verifier = new TokenVerifier(tokens);
  // Undefined when logging is off, so no entry is built for nobody.
  const log: Logger | undefined = loggerOption === false ? undefined : (loggerOption ?? defaultLogger);
  const schemas = requestSchemas(limits);
  const waits = new WaitSlots(limits.maxConcurrentWaits);

  let document: Record<string, unknown> | undefined;
  let docsHtml: string | undefined;
  const routes: AnyRoute[] = [
    ...workflowRoutes(schemas),
    ...messageRoutes(schemas),
    ...scheduleRoutes(schemas),
    ...queueRoutes(schemas),
    ...webhookRoutes(schemas, (config.webhooks ?? {}) as Record<string, WebhookConfig>),
    ...consoleRoutes(schemas, async (c) => ({
      scope: open ? 'full' : ((await verifier.scopeOf(bearerToken(c.req.header('authorization')) ?? '')) ?? 'read'),
      open,
    })),
    route({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness',
      tag: 'service',
      access: 'public',
      responses: { 200: { description: 'Up', schema: HealthSchema } },
      handler: async () => jsonResponse({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tag: 'service',
      access: 'public',
      responses: { 200: { description: 'The document' } },
      handler: async () => jsonResponse(getDocument()),
    }),
    route({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'API documentation page',
      tag: 'service',
      access: 'public',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async () => {
        docsHtml ??= docsPage(getDocument(), { open });
        return new Response(docsHtml, { headers: { 'content-type': 'text/html; charset=utf-8', ...DOCS_HEADERS } });
      },
    }),
  ];
  const getDocument = () => {
    document ??= openApiDocument(routes, info);
    return document;
  };

  const respond = (c: Context<Env>, p: Problem, headers: Record<string, string> = {}) =>
    problemResponse({ ...p, instance: c.req.path, requestId: c.get('requestId') }, headers);

  /** undefined when allowed, else the 401/403 answer. */
  const authorize = async (c: Context<Env>, needed: Scope): Promise<Response | undefined> => {
    if (open) return undefined;
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) {
      return respond(
        c,
        problem(401, 'unauthorized', 'Authentication required', { detail: 'Send Authorization: Bearer <token>' }),
        {
          'www-authenticate': 'Bearer realm="dbos-edge"',
        },
      );
    }
    const scope = await verifier.scopeOf(token);
    if (scope === undefined) {
      return respond(c, problem(401, 'unauthorized', 'Invalid token'), {
        'www-authenticate': 'Bearer realm="dbos-edge", error="invalid_token"',
      });
    }
    if (!allows(scope, needed)) {
      return respond(
        c,
        problem(403, 'forbidden', 'Insufficient scope', { detail: `This route needs a ${needed} token` }),
        {
          'www-authenticate': `Bearer realm="dbos-edge", error="insufficient_scope", scope="${needed}"`,
        },
      );
    }
    return undefined;
  };

  // The router `Hono`'s SmartRouter settles on for these routes, alone: RegExpRouter, which it tries first, refuses
  // them (/v1/queues/workflows beside /v1/queues/:queueName/workflows), and would only add bytes (1.8 KiB gzipped).
  const app: Hono<Env> = new HonoBase<Env>({ router: new TrieRouter() });

  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('x-request-id', requestId);
    if (!log) return;
    log({
      level: 'info',
      msg: 'request',
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  for (const r of routes) {
    // Converted on the route's first use, not for every route when the app is built (a Worker's first request).
    let querySchemas: ReturnType<typeof queryParameterSchemas> | undefined;
    app.on(r.method.toUpperCase(), honoPath(r.path), async (c) => {
      if (r.access === 'read' || r.access === 'full') {
        const denied = await authorize(c, r.access);
        if (denied) return denied;
      }
      let rawBody: Uint8Array = new Uint8Array(0);
      if (r.body || r.access === 'signature') {
        try {
          rawBody = await readLimited(c.req.raw, limits.maxBodyBytes);
        } catch (e) {
          if (!(e instanceof TooLarge)) throw e;
          return respond(
            c,
            problem(413, 'too-large', 'Request body too large', {
              detail: `The limit is ${limits.maxBodyBytes} bytes`,
            }),
          );
        }
      }
      let body: unknown;
      if (r.body) {
        if (rawBody.length === 0) {
          body = r.bodyOptional ? {} : undefined;
        } else {
          if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
            return respond(
              c,
              problem(415, 'unsupported-media-type', 'Unsupported Media Type', { detail: 'Send application/json' }),
            );
          }
          try {
            body = JSON.parse(UTF8.decode(rawBody));
          } catch {
            throw new ValidationError([{ field: 'body', rule: 'json', message: 'is not valid UTF-8 JSON' }]);
          }
        }
        body = validate(r.body, body, 'body');
      }
      const params = r.params ? validate(r.params, c.req.param(), 'path') : undefined;
      querySchemas ??= queryParameterSchemas(r.query);
      const query = r.query ? validate(r.query, coerceQuery(c.req.queries(), querySchemas), 'query') : undefined;

      let created: DBOSClient | undefined;
      let kept = false;
      const release = async () => {
        const dbos = created;
        created = undefined;
        await dbos?.destroy().catch(() => {});
      };
      try {
        return await r.handler({
          c,
          params,
          query,
          body,
          rawBody,
          limits,
          now,
          waitSlot: () => waits.acquire(),
          client: async () => {
            if (sharedClient) return sharedClient;
            created ??= await (clientFactory as NonNullable<typeof clientFactory>)(c);
            return created;
          },
          keepClient: () => {
            kept = true;
            return release;
          },
        });
      } finally {
        if (!kept) await release();
      }
    });
  }

  // The console's page and assets hold no data (they call /v1 with the token the user enters), so they are open.
  if (ui) for (const path of ['/ui', '/ui/*']) app.all(path, (c) => ui.fetch(c.req.raw));

  // Closed by default: an unknown path needs a token before it is told it does not exist.
  app.all('*', async (c) => {
    const denied = await authorize(c, 'read');
    if (denied) return denied;
    return respond(c, problem(404, 'not-found', 'Not Found', { detail: `No route ${c.req.method} ${c.req.path}` }));
  });

  app.onError((error, c) => {
    const { problem: p, internal } = problemFromError(error);
    if (internal && log) {
      const e = error as { name?: unknown; code?: unknown; sqlState?: unknown; message?: unknown };
      log({
        level: 'error',
        msg: 'request failed',
        requestId: c.get('requestId'),
        path: c.req.path,
        status: p.status,
        error: { name: e?.name, code: e?.code, sqlState: e?.sqlState, message: String(e?.message ?? error) },
      });
    }
    return respond(c, p);
  });

  return app;
}

/** Every route the app serves (for docs and tests): method and OpenAPI path. */
export function routeTable(app: Hono<Env>): { method: string; path: string }[] {
  return app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') }));
}
