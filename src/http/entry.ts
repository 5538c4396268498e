/**
 * What every server entry does, written once: configuration in (environment variables, or Cloudflare bindings),
 * the router and the schedule tick out. Runtime-agnostic (no Node built-ins), so `worker/node.ts`, `worker/bun.ts`,
 * `worker/deno.ts` and `worker/cloudflare.ts` are each a few lines around it:
 *
 * - a long-running server (Node, Bun, Deno) makes a `'shared'` service: one client and one connection pool for the
 *   process, and the tick on an interval (`startTicker`) or a cron (`Deno.cron`);
 * - a Worker (`workerHandlers`) makes a `'per-request'` service: a client and one connection per request and per
 *   cron invocation, because workerd forbids using a socket opened by another request. Its postgres.js connection is
 *   never `end()`ed (workerd closes it when the invocation ends), and it does not LISTEN (Hyperdrive cannot).
 */
import type { Hono } from 'hono';
import { DBOSClient } from '../client.ts';
import { openTarget, parseDatabaseUrl } from '../connect.ts';
import type { Driver } from '../driver.ts';
import { DBOSEdgeError, ValidationError } from '../errors.ts';
import type { TickOptions } from '../options.ts';
import type { TickReport } from '../schedules.ts';
import { type CreateAppOptions, createApp, type Logger } from './app.ts';
import { configFromEnv, type EnvConfig } from './config.ts';
import { problem, problemResponse } from './problem.ts';

export type EnvVars = Record<string, string | undefined>;

export interface ServiceOptions {
  /** Environment variables (see `configFromEnv`). */
  env: EnvVars;
  /** `'shared'`: one client for the process. `'per-request'`: a client per request and per tick (Workers). */
  mode: 'shared' | 'per-request';
  /**
   * Makes a folder (recursively) for the embedded PGlite database, used when no database URL is configured; the
   * runtime's own call, e.g. `(dir) => mkdirSync(dir, { recursive: true })`. Without it, a URL is required.
   */
  mkdir?: (dir: string) => unknown;
  /** Request and tick log lines. Default: JSON lines on the console. */
  logger?: Logger | false;
  /** The web console to serve at /ui (`uiApp()` of `ui.ts`); absent: none. */
  ui?: CreateAppOptions['ui'];
  /**
   * The platform serves the app to a network whatever `HOST` says (Deno Deploy). A per-request service (Workers)
   * always is. Open mode there needs `DBOS_EDGE_INSECURE_DEV_PUBLIC=1` as well.
   */
  public?: boolean;
}

export interface Service {
  /** The Hono router of `createApp`; `app.fetch` is the handler. */
  readonly app: Hono<{ Variables: { requestId: string } }>;
  readonly config: EnvConfig;
  /** The database, credentials removed, for the start-up line. */
  readonly database: string;
  /** The auth mode, for the start-up line. */
  readonly auth: string;
  /**
   * Runs one schedule tick (`runScheduleTick`) and logs its report (a shared service only when it fired or failed).
   * A per-request service opens a client for it.
   */
  tick(options?: TickOptions): Promise<TickReport>;
  /** Closes the shared client and the embedded database (a per-request service holds nothing). */
  close(): Promise<void>;
}

const defaultLogger: Logger = (entry) => console.log(JSON.stringify(entry));

/** A database URL without its password and query: `scheme://user@host/db`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url.replace(/^neon\+(http|ws):/i, 'postgresql:'));
    return `${url.split(':')[0]}://${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return url.split(':')[0] ?? 'database';
  }
}

function authMode(config: EnvConfig): string {
  const tokens = config.app.tokens ?? [];
  if (tokens.length === 0) return 'INSECURE (no tokens, DBOS_EDGE_INSECURE_DEV=1): every route is open';
  const full = tokens.filter((t) => t.scope === 'full').length;
  return `bearer tokens (${full} full, ${tokens.length - full} read)`;
}

/** The log line of a tick: totals, and the schedules that fired or failed. */
export function tickLogEntry(report: TickReport, extra: Record<string, unknown> = {}) {
  return {
    level: report.errors > 0 ? ('error' as const) : ('info' as const),
    msg: 'schedule tick',
    ...extra,
    now: report.now,
    fired: report.fired,
    errors: report.errors,
    schedules: report.schedules.filter((s) => s.fired.length > 0 || s.error !== undefined || s.skipped > 0),
  };
}

/**
 * Builds the service from the environment. Throws `ValidationError` naming the variable for bad configuration
 * (before any database is opened); opens the embedded database when no URL is set and `mkdir` is given.
 */
export async function createService(options: ServiceOptions): Promise<Service> {
  const config = configFromEnv(options.env);
  if (config.app.insecureDev && (options.mode === 'per-request' || options.public) && !config.insecurePublic) {
    throw new ValidationError([
      {
        field: 'DBOS_EDGE_INSECURE_DEV_PUBLIC',
        rule: 'required',
        message: 'must be 1 to serve open mode (DBOS_EDGE_INSECURE_DEV=1) where anyone can reach it',
      },
    ]);
  }
  const log: Logger = options.logger === false ? () => {} : (options.logger ?? defaultLogger);
  const logger = options.logger ?? defaultLogger;
  const clientConfig = {
    systemDatabaseSchemaName: config.schema,
    ...(config.applicationName ? { applicationName: config.applicationName } : {}),
    ...(config.schedulerApp ? { schedulerApp: config.schedulerApp } : {}),
  };

  if (options.mode === 'per-request') {
    const url = config.databaseUrl;
    if (!url) {
      throw new ValidationError([
        {
          field: 'DBOS_SYSTEM_DATABASE_URL',
          rule: 'required',
          message: 'set a database URL or a HYPERDRIVE binding (a Worker has no embedded database)',
        },
      ]);
    }
    const target = parseDatabaseUrl(url, 'DBOS_SYSTEM_DATABASE_URL');
    if (target.kind === 'pglite') {
      throw new ValidationError([
        { field: 'DBOS_SYSTEM_DATABASE_URL', rule: 'url', message: 'pglite: cannot be used by a Worker' },
      ]);
    }
    // One connection per request, never end()ed: see the top of this file.
    const newClient = async (): Promise<DBOSClient> =>
      new DBOSClient({ ...clientConfig, systemDatabaseUrl: url, connection: 'per-request', listen: false });
    const app = createApp({ ...config.app, clientFactory: newClient, logger, ui: options.ui });
    return {
      app,
      config,
      database: redactUrl(url),
      auth: authMode(config),
      async tick(tickOptions) {
        const client = await newClient();
        try {
          const report = await client.runScheduleTick(tickOptions);
          log(tickLogEntry(report));
          return report;
        } finally {
          await client.destroy();
        }
      },
      async close() {},
    };
  }

  // Check the app's options (tokens, webhooks, limits) before opening any database.
  createApp({
    ...config.app,
    logger: false,
    clientFactory: () => Promise.reject(new DBOSEdgeError('CONFIG', 'a configuration check serves nothing')),
  });
  let driver: Driver | undefined;
  let database: string;
  if (config.databaseUrl) {
    database = redactUrl(config.databaseUrl);
  } else if (options.mkdir) {
    await options.mkdir(config.dataDir);
    driver = await openTarget({ kind: 'pglite', dataDir: config.dataDir }, { schema: config.schema });
    database = `embedded PGlite in ${config.dataDir}`;
  } else {
    throw new ValidationError([
      { field: 'DBOS_SYSTEM_DATABASE_URL', rule: 'required', message: 'set the system database URL' },
    ]);
  }
  const client = new DBOSClient({
    ...clientConfig,
    ...(driver ? { driver } : { systemDatabaseUrl: config.databaseUrl as string }),
  });
  const app = createApp({ ...config.app, client, logger, ui: options.ui });
  let closed = false;
  return {
    app,
    config,
    database,
    auth: authMode(config),
    async tick(tickOptions) {
      const report = await client.runScheduleTick(tickOptions);
      // Every second on a long-running server: only the ticks that did something are logged.
      if (report.fired > 0 || report.errors > 0) log(tickLogEntry(report));
      return report;
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.destroy();
      await driver?.close();
    },
  };
}

/**
 * Runs `service.tick()` every `intervalMs` (the first one right away) until the returned function is called, which
 * resolves once a tick in progress is done. Ticks never overlap; a failed tick is logged and the next one runs.
 */
export function startTicker(
  service: Pick<Service, 'tick'>,
  intervalMs: number,
  logger: Logger = defaultLogger,
): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = service
      .tick()
      .then(
        () => {},
        (e: unknown) =>
          logger({ level: 'error', msg: 'schedule tick failed', error: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  run();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
  };
}

// ------------------------------------------------------------------------------------------ Cloudflare Workers

/** The parts of workerd's `ExecutionContext` and `ScheduledController` the handlers use. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}
export interface WorkerScheduledEvent {
  readonly scheduledTime: number;
  readonly cron: string;
}

/**
 * Environment variables from Worker bindings: text variables and secrets as they are, and a Hyperdrive binding's
 * `connectionString` as `DBOS_SYSTEM_DATABASE_URL` when no URL is set (Hyperdrive speaks the Postgres protocol, so
 * the postgres.js driver is used over `cloudflare:sockets`).
 */
export function envFromBindings(bindings: Record<string, unknown>, hyperdrive = 'HYPERDRIVE'): EnvVars {
  const env: EnvVars = {};
  for (const [k, v] of Object.entries(bindings)) if (typeof v === 'string') env[k] = v;
  const binding = bindings[hyperdrive] as { connectionString?: unknown } | undefined;
  if (!env.DBOS_SYSTEM_DATABASE_URL && typeof binding?.connectionString === 'string') {
    env.DBOS_SYSTEM_DATABASE_URL = binding.connectionString;
  }
  return env;
}

/**
 * A Worker's `fetch` and `scheduled` handlers. The service is built from the bindings on first use and kept for the
 * isolate (it holds no connection); `scheduled` runs one tick at the event's scheduled time, so two deliveries of the
 * same event fire each due run once. Bad configuration answers 500 naming the variables, and fails the cron.
 */
export function workerHandlers(
  options: { hyperdrive?: string; logger?: Logger | false; ui?: CreateAppOptions['ui'] } = {},
) {
  let cached: { bindings: unknown; service: Promise<Service> } | undefined;
  const serviceFor = (bindings: Record<string, unknown>) => {
    if (cached?.bindings !== bindings) {
      const service = createService({
        env: envFromBindings(bindings, options.hyperdrive),
        mode: 'per-request',
        ui: options.ui,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      service.catch(() => {}); // reported by each handler
      cached = { bindings, service };
    }
    return cached.service;
  };
  return {
    async fetch(request: Request, bindings: Record<string, unknown>, ctx: WorkerContext): Promise<Response> {
      let service: Service;
      try {
        service = await serviceFor(bindings);
      } catch (e) {
        const issues = e instanceof ValidationError ? e.issues.map((i) => `${i.field} ${i.message}`) : [];
        console.error(JSON.stringify({ level: 'error', msg: 'misconfigured', issues }));
        return problemResponse(
          problem(500, 'misconfigured', 'Service misconfigured', issues.length ? { detail: issues.join('; ') } : {}),
        );
      }
      return service.app.fetch(request, bindings, ctx as never);
    },
    async scheduled(event: WorkerScheduledEvent, bindings: Record<string, unknown>, ctx: WorkerContext) {
      const done = serviceFor(bindings).then((s) => s.tick({ now: event.scheduledTime }));
      ctx.waitUntil(done);
      await done;
    },
  };
}

// ------------------------------------------------------------------------------------------ start-up messages

/** The one line a server prints when it is up: URL, database, schema, auth mode. */
export function startupLine(service: Pick<Service, 'config' | 'database' | 'auth'>, url: string, runtime = ''): string {
  return `dbos-edge${runtime ? ` (${runtime})` : ''} listening on ${url} — database: ${service.database} (schema ${service.config.schema}) — auth: ${service.auth} — docs: /docs`;
}

/** Why a server did not start, in one line: the variables at fault, or the error's message (never a stack). */
export function startupError(error: unknown): string {
  if (error instanceof ValidationError) {
    return `dbos-edge: refusing to start: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
  }
  const listen = error as { code?: unknown; address?: unknown; port?: unknown };
  if (listen?.code === 'EADDRINUSE') {
    const where = listen.port === undefined ? 'the port' : `${String(listen.address ?? '')}:${String(listen.port)}`;
    return `dbos-edge: failed to start: ${where} is already in use (set PORT, or stop the process using it)`;
  }
  return `dbos-edge: failed to start: ${error instanceof Error ? error.message : String(error)}`;
}
