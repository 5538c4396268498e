/**
 * Configuration of the HTTP service: the valibot schemas `createApp` validates its options with, and
 * `configFromEnv`, which turns environment variables (or Cloudflare bindings, Deno.env, …) into those options.
 * Bad configuration throws `ValidationError` naming the option or variable: the service refuses to start rather
 * than run half-configured (a token too short, a hostile schema name, a webhook without a secret).
 */
import * as v from 'valibot';
import { DEFAULT_DATA_DIR } from '../connect.ts';
import { ValidationError } from '../errors.ts';
import { EnqueueOptionsSchema, id, MessageSchema, type SchedulerApp, validate } from '../options.ts';
import { validateSchemaName } from '../schema/name.ts';
import type { ApiToken } from './auth.ts';
import type { AppConfig, WebhookConfig } from './config-types.ts';
import { standardSecretKey } from './signatures.ts';

export type { AppConfig, WebhookConfig } from './config-types.ts';

export const DEFAULT_LIMITS = {
  /** Largest request body (bytes); larger ones get 413. */
  maxBodyBytes: 1024 * 1024,
  /** Longest long poll (`timeoutMs` of result, event and wait-first routes). */
  maxWaitMs: 30_000,
  /** Page size of listings when `limit` is not given. */
  defaultPageSize: 100,
  /** Largest `limit` of a listing. */
  maxPageSize: 1000,
  /** How often an idle SSE stream sends a keep-alive comment. */
  sseKeepAliveMs: 15_000,
  /** Long polls and SSE streams served at once by one process; more get 503 with Retry-After. */
  maxConcurrentWaits: 1000,
  /** Largest JSON of an offset-paged listing's items: a page of large payloads ends early (`nextOffset` goes on). */
  maxResponseBytes: 8 * 1024 * 1024,
} as const;
export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

export const TokenSchema = v.strictObject({
  token: v.pipe(
    v.string(),
    v.minLength(16, 'must be at least 16 characters'),
    v.maxLength(512),
    v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  ),
  scope: v.picklist(['read', 'full']),
});

const WebhookEnqueueSchema = v.omit(EnqueueOptionsSchema, [
  'workflowID',
  'workflowIDReusePolicy',
  'maxRecoveryAttempts',
  'deduplicationID',
  'duplicationPolicy',
]);

/**
 * One webhook route, `POST /v1/webhooks/{name}`: how deliveries are verified and what each one does, exactly once
 * per delivery ID: `send` the payload to a workflow (the configured `workflowID`, or the one in the path
 * `/v1/webhooks/{name}/{workflowID}`), or `enqueue` a workflow with `(payload, { webhook, deliveryID })`.
 */
/** The schemas with their inferred types (test/unit/option-types.test.ts compares them to the written-out ones). */
export const webhookSchemaInferred = v.pipe(
  v.strictObject({
    /** `standard-webhooks` (webhook-id/-timestamp/-signature) or `github` (X-Hub-Signature-256). */
    verify: v.picklist(['standard-webhooks', 'github']),
    /** `whsec_<base64>` for Standard Webhooks; any string for GitHub. Default: `DBOS_EDGE_WEBHOOK_SECRET`. */
    secret: v.pipe(v.string(), v.minLength(1)),
    /** Standard Webhooks timestamp tolerance, seconds (default 300). */
    toleranceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600))),
    send: v.optional(
      v.strictObject({
        workflowID: v.optional(id()),
        ...v.pick(MessageSchema, ['topic', 'serializationType']).entries,
      }),
    ),
    enqueue: v.optional(WebhookEnqueueSchema),
  }),
  v.check((w) => (w.send === undefined) !== (w.enqueue === undefined), 'must have exactly one of send and enqueue'),
  v.check(
    (w) => w.verify !== 'standard-webhooks' || standardSecretKey(w.secret) !== undefined,
    'a standard-webhooks secret must be whsec_<base64>',
  ),
);

export const WebhookSchema: v.GenericSchema<WebhookConfig> = webhookSchemaInferred;

const WEBHOOK_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const appConfigSchemaInferred = v.strictObject({
  tokens: v.optional(v.array(TokenSchema)),
  /** Serve without tokens (every route open, full scope). Local development only. */
  insecureDev: v.optional(v.boolean()),
  webhooks: v.optional(
    v.record(v.pipe(v.string(), v.regex(WEBHOOK_NAME, 'must be 1-64 letters, digits, _ or -')), webhookSchemaInferred),
  ),
  limits: v.optional(
    v.strictObject({
      maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64 * 1024 * 1024))),
      maxWaitMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(300_000))),
      defaultPageSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      maxPageSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
      sseKeepAliveMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100))),
      maxConcurrentWaits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      maxResponseBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    }),
  ),
});
export const AppConfigSchema: v.GenericSchema<AppConfig> = appConfigSchemaInferred;

/** What `configFromEnv` reads, with the variables it reads it from. */
export interface EnvConfig {
  /** `DBOS_SYSTEM_DATABASE_URL`, else `DATABASE_URL`; unset: the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** `DBOS_SYSTEM_SCHEMA` (default `dbos`), validated as an identifier. */
  schema: string;
  /** `DBOS_APPLICATION_NAME`. */
  applicationName: string | undefined;
  /**
   * `DBOS_EDGE_SCHEDULER_APP`: `typescript`, `python`, `typescript-portable` or `python-portable`, the DBOS app that
   * fires the schedules (the client's `schedulerApp`); unset: detected from the database.
   */
  schedulerApp: SchedulerApp | undefined;
  /** `DBOS_EDGE_DATA_DIR` (default `.data/pglite`): where the embedded database lives. */
  dataDir: string;
  /** `PORT` (default 3000). */
  port: number;
  /** `HOST` (default `127.0.0.1`): the interface a long-running server listens on. Loopback only in open mode. */
  hostname: string;
  /**
   * `DBOS_EDGE_INSECURE_DEV_PUBLIC=1`: the second switch open mode needs where the service is reachable from a
   * network whatever `HOST` says (Cloudflare Workers, Deno Deploy).
   */
  insecurePublic: boolean;
  /**
   * `DBOS_EDGE_TICK_INTERVAL_MS` (default 1000; 0 turns it off): how often a long-running server (Node, Bun) runs the
   * schedule tick. Cloudflare and Deno run it from their cron triggers instead.
   */
  tickIntervalMs: number;
  /** Options for `createApp`: tokens, insecureDev, webhooks and limits. */
  app: AppConfig;
}

type Env = Record<string, string | undefined>;

function issue(field: string, rule: string, message: string): never {
  throw new ValidationError([{ field, rule, message }]);
}

function int(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,12}$/.test(raw)) issue(name, 'integer', 'must be a non-negative integer');
  return Number(raw);
}

/**
 * `full:TOKEN1,read:TOKEN2` (a bare token is full scope). A token holding a colon must name its scope: a mistyped
 * one (`Read:…`, `ro:…`) is refused rather than read as a full-scope token.
 */
export function parseTokens(text: string | undefined): ApiToken[] {
  if (!text?.trim()) return [];
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .map((entry, i) => {
      const m = /^(read|full):(.*)$/.exec(entry);
      if (!m && entry.includes(':')) {
        issue(`DBOS_EDGE_API_TOKENS[${i}]`, 'scope', 'has an unknown scope: write read:<token> or full:<token>');
      }
      const t = m
        ? { scope: m[1] as ApiToken['scope'], token: m[2] as string }
        : { scope: 'full' as const, token: entry };
      return validate(TokenSchema, t, `DBOS_EDGE_API_TOKENS[${i}]`);
    });
}

const SCHEDULER_APPS: Record<string, SchedulerApp> = {
  typescript: { language: 'typescript', serializer: 'native' },
  python: { language: 'python', serializer: 'native' },
  'typescript-portable': { language: 'typescript', serializer: 'portable' },
  'python-portable': { language: 'python', serializer: 'portable' },
};

/** `DBOS_EDGE_SCHEDULER_APP`'s value as the client's `schedulerApp`; empty or unset: undefined (detect). */
export function parseSchedulerApp(raw: string | undefined): SchedulerApp | undefined {
  if (!raw) return undefined;
  if (!Object.hasOwn(SCHEDULER_APPS, raw)) {
    issue('DBOS_EDGE_SCHEDULER_APP', 'picklist', `must be one of ${Object.keys(SCHEDULER_APPS).join(', ')}`);
  }
  return SCHEDULER_APPS[raw];
}

/** Whether a server listening on `hostname` is reachable only from this machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The variable each option read from the environment came from, by its path in `AppConfig`. */
const VARIABLE_OF: [path: string, variable: string][] = [
  ['limits.maxBodyBytes', 'DBOS_EDGE_MAX_BODY_BYTES'],
  ['limits.maxWaitMs', 'DBOS_EDGE_MAX_WAIT_MS'],
  ['webhooks', 'DBOS_EDGE_WEBHOOKS'],
  ['tokens', 'DBOS_EDGE_API_TOKENS'],
  ['insecureDev', 'DBOS_EDGE_INSECURE_DEV'],
];

/** Validates the options read from the environment; a failure names the variable, not the option. */
function validateFromEnv(input: Record<string, unknown>): v.InferOutput<typeof AppConfigSchema> {
  try {
    return validate(AppConfigSchema, input, '');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const rename = (field: string) => {
      for (const [path, variable] of VARIABLE_OF) {
        if (field === path || field.startsWith(`${path}.`)) return `${variable}${field.slice(path.length)}`;
      }
      return field;
    };
    throw new ValidationError(e.issues.map((i) => ({ ...i, field: rename(i.field) })));
  }
}

/**
 * Reads the service's configuration from environment variables:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `DBOS_SYSTEM_DATABASE_URL` (or `DATABASE_URL`) | the system database; unset: embedded PGlite in `DBOS_EDGE_DATA_DIR` |
 * | `DBOS_SYSTEM_SCHEMA` | schema name, default `dbos` |
 * | `DBOS_APPLICATION_NAME` | the application the service acts for |
 * | `DBOS_EDGE_SCHEDULER_APP` | `typescript`, `python`, `typescript-portable`, `python-portable`: who fires schedules |
 * | `DBOS_EDGE_API_TOKENS` | `full:TOKEN,read:TOKEN` |
 * | `DBOS_EDGE_INSECURE_DEV` | `1`: serve without tokens (local development only; `HOST` must be loopback) |
 * | `DBOS_EDGE_INSECURE_DEV_PUBLIC` | `1`: also allow open mode on Workers and Deno Deploy (reachable by anyone) |
 * | `DBOS_EDGE_WEBHOOKS` | JSON: `{ "<name>": { verify, secret?, send? \| enqueue? } }` |
 * | `DBOS_EDGE_WEBHOOK_SECRET` | the secret of webhooks that name none |
 * | `DBOS_EDGE_MAX_BODY_BYTES`, `DBOS_EDGE_MAX_WAIT_MS` | limits (default 1 MiB, 30 s) |
 * | `DBOS_EDGE_DATA_DIR`, `PORT`, `HOST` | embedded database folder, listening port and interface |
 * | `DBOS_EDGE_TICK_INTERVAL_MS` | schedule tick of a long-running server, default 1000 (0: off) |
 */
export function configFromEnv(env: Env): EnvConfig {
  const schemaName = env.DBOS_SYSTEM_SCHEMA || 'dbos';
  try {
    validateSchemaName(schemaName);
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new ValidationError(e.issues.map((i) => ({ ...i, field: 'DBOS_SYSTEM_SCHEMA' })));
    }
    throw e;
  }
  const insecure = env.DBOS_EDGE_INSECURE_DEV;
  if (insecure !== undefined && !['', '0', '1', 'true', 'false'].includes(insecure)) {
    issue('DBOS_EDGE_INSECURE_DEV', 'boolean', 'must be 1 or 0');
  }
  let webhooks: Record<string, unknown> | undefined;
  if (env.DBOS_EDGE_WEBHOOKS?.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.DBOS_EDGE_WEBHOOKS);
    } catch {
      issue('DBOS_EDGE_WEBHOOKS', 'json', 'must be a JSON object');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      issue('DBOS_EDGE_WEBHOOKS', 'json', 'must be a JSON object');
    }
    const fallback = env.DBOS_EDGE_WEBHOOK_SECRET;
    webhooks = Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).map(([name, w]) => [
        name,
        typeof w === 'object' && w !== null && !('secret' in w) && fallback ? { ...w, secret: fallback } : w,
      ]),
    );
  }
  const maxBodyBytes = int(env, 'DBOS_EDGE_MAX_BODY_BYTES');
  const maxWaitMs = int(env, 'DBOS_EDGE_MAX_WAIT_MS');
  const app = validateFromEnv({
    tokens: parseTokens(env.DBOS_EDGE_API_TOKENS),
    insecureDev: insecure === '1' || insecure === 'true',
    ...(webhooks ? { webhooks } : {}),
    limits: {
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
      ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
    },
  });
  const port = int(env, 'PORT') ?? 3000;
  if (port > 65535) issue('PORT', 'max_value', 'must be at most 65535');
  const tickIntervalMs = int(env, 'DBOS_EDGE_TICK_INTERVAL_MS') ?? 1000;
  if (tickIntervalMs !== 0 && tickIntervalMs < 100) {
    issue('DBOS_EDGE_TICK_INTERVAL_MS', 'min_value', 'must be 0 (off) or at least 100');
  }
  const hostname = env.HOST || '127.0.0.1';
  if (app.insecureDev && !isLoopback(hostname)) {
    issue('HOST', 'loopback', 'must be a loopback address (127.0.0.1, ::1, localhost) while DBOS_EDGE_INSECURE_DEV=1');
  }
  const url = env.DBOS_SYSTEM_DATABASE_URL || env.DATABASE_URL || undefined;
  return {
    schedulerApp: parseSchedulerApp(env.DBOS_EDGE_SCHEDULER_APP),
    databaseUrl: url,
    schema: schemaName,
    applicationName: env.DBOS_APPLICATION_NAME || undefined,
    dataDir: env.DBOS_EDGE_DATA_DIR || DEFAULT_DATA_DIR,
    port,
    hostname,
    insecurePublic: env.DBOS_EDGE_INSECURE_DEV_PUBLIC === '1',
    tickIntervalMs,
    app,
  };
}
