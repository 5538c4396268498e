/**
 * Turns client configuration into a driver. A pre-built driver wins; otherwise a URL (the system database's,
 * or one derived from the application database's the way DBOS does) picks the adapter by its scheme:
 *
 * | URL | driver |
 * | --- | --- |
 * | `postgres://…`, `postgresql://…` | postgres.js over TCP (`adapters/postgres.ts`) |
 * | `neon+http://user:pw@host/db?…` | Neon's SQL over HTTP (`adapters/neon-http.ts`); `fetch_endpoint=<url>` overrides Neon's endpoint |
 * | `neon+ws://user:pw@host/db?…` | Neon's `Pool` over WebSocket (`adapters/neon-ws.ts`); `ws_proxy=<host:port/path>` overrides Neon's proxy, `ws_secure=false` uses `ws:` |
 * | `pglite:` / `pglite://` (in memory), `pglite://<dataDir>` | embedded PGlite (`adapters/pglite.ts`), DBOS schema created on open |
 *
 * This module is the one door to a database: the client, the server entries and the tests open drivers here and
 * never import an adapter to do it. Adapters know nothing of DBOS (the embedded database's schema is made from
 * here, by src/schema/embedded.ts).
 *
 * For the Neon schemes the rest of the URL is the Postgres connection string Neon expects, sent as
 * `postgresql://…` without the `fetch_endpoint` / `ws_proxy` / `ws_secure` parameters. Adapters are loaded with a
 * dynamic import on first use, so a bundle only pulls in the one it uses (and none when a driver is passed).
 */
import type { PgPoolLike } from '../adapters/pg-pool.ts';
import type { PgliteDriverOptions } from '../adapters/pglite.ts';
import type { Driver } from './driver.ts';
import { ValidationError } from './errors.ts';
import { detectSchemaCached, knownSchema, NEWEST_FEATURES, sameFeatures } from './schema/detect.ts';
import { quoteIdent, validateSchemaName } from './schema/name.ts';
import type { SqlContext } from './sql/base.ts';

/** Where the service keeps the embedded database when no folder is configured (`DBOS_EDGE_DATA_DIR`). */
export const DEFAULT_DATA_DIR = '.data/pglite';

export interface OpenOptions {
  /** The DBOS schema the embedded database is created with. Default `dbos`. */
  schema?: string;
  /**
   * `pool` (default): a connection pool for the process. `per-request`: for a Cloudflare Worker, where a socket
   * belongs to the request that opened it: one connection, no type lookup on open (a round trip saved per request),
   * each statement sent in one flight with its parameters inline (one round trip, not describe then execute),
   * never `end()`ed (workerd closes it with the request; postgres.js's `end()` there leaves an unhandled rejection).
   */
  connection?: 'pool' | 'per-request';
}

const PER_REQUEST_POSTGRES = { max: 1, endOnClose: false, fetchTypes: false, inlineParams: true } as const;
/**
 * No type lookup on open for a pool either: the core reads no array columns, and postgres.js leaves an unhandled
 * rejection (which ends a Node process) when a connection is terminated during that lookup, as in a failover.
 */
const POOL_POSTGRES = { fetchTypes: false } as const;

/** DBOS's default: the system database is the application database's name plus `_dbos_sys`. */
export function systemUrlFromApplicationUrl(applicationUrl: string): string {
  let url: URL;
  try {
    url = new URL(applicationUrl);
  } catch {
    throw new ValidationError([{ field: 'applicationDatabaseUrl', rule: 'url', message: 'is not a valid URL' }]);
  }
  let name: string;
  try {
    name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw new ValidationError([
      { field: 'applicationDatabaseUrl', rule: 'url', message: 'its database name is not valid percent-encoding' },
    ]);
  }
  if (!name) {
    throw new ValidationError([{ field: 'applicationDatabaseUrl', rule: 'database', message: 'names no database' }]);
  }
  url.pathname = `/${encodeURIComponent(`${name}_dbos_sys`)}`;
  return url.toString();
}

/** What a database URL selects: the adapter, and what to open it with. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'neon-http'; readonly connectionString: string; readonly fetchEndpoint?: string }
  | {
      readonly kind: 'neon-ws';
      readonly connectionString: string;
      readonly wsProxy?: string;
      readonly useSecureWebSocket?: boolean;
    }
  | { readonly kind: 'pglite'; readonly dataDir?: string };

const SCHEMES = 'a postgres://, postgresql://, neon+http://, neon+ws:// or pglite: URL';

/** Parses a database URL into its target, without any I/O. Throws `ValidationError` naming `field`. */
export function parseDatabaseUrl(url: string, field = 'systemDatabaseUrl'): DatabaseTarget {
  const invalid = (rule: string, message: string) => new ValidationError([{ field, rule, message }]);
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', connectionString: url };
  if (/^pglite:/i.test(url)) {
    const dataDir = url.replace(/^pglite:(\/\/)?/i, '');
    return dataDir ? { kind: 'pglite', dataDir } : { kind: 'pglite' };
  }
  const neon = /^neon\+(http|ws):\/\//i.exec(url);
  if (!neon) throw invalid('url', `must be ${SCHEMES}`);
  let parsed: URL;
  try {
    parsed = new URL(`postgresql://${url.slice(neon[0].length)}`);
  } catch {
    throw invalid('url', 'is not a valid URL');
  }
  if (!parsed.hostname) throw invalid('url', 'names no host');
  const take = (name: string) => {
    const value = parsed.searchParams.get(name) ?? undefined;
    parsed.searchParams.delete(name);
    return value;
  };
  if (neon[1]?.toLowerCase() === 'http') {
    const fetchEndpoint = take('fetch_endpoint');
    if (fetchEndpoint !== undefined && !/^https?:\/\/[^/]/i.test(fetchEndpoint)) {
      throw invalid('url', 'its fetch_endpoint must be an http:// or https:// URL');
    }
    const connectionString = parsed.toString();
    return fetchEndpoint === undefined
      ? { kind: 'neon-http', connectionString }
      : { kind: 'neon-http', connectionString, fetchEndpoint };
  }
  const wsProxy = take('ws_proxy');
  const secure = take('ws_secure');
  if (secure !== undefined && secure !== 'true' && secure !== 'false') {
    throw invalid('url', 'its ws_secure must be true or false');
  }
  return {
    kind: 'neon-ws',
    connectionString: parsed.toString(),
    ...(wsProxy === undefined ? {} : { wsProxy }),
    ...(secure === undefined ? {} : { useSecureWebSocket: secure === 'true' }),
  };
}

export type { PgPoolLike } from '../adapters/pg-pool.ts';

/** A driver on the caller's node-postgres `Pool` (the TS SDK's `systemDatabasePool`); the pool stays the caller's. */
export async function openPgPool(pool: PgPoolLike): Promise<Driver> {
  const { pgPoolDriver } = await import('../adapters/pg-pool.ts');
  return pgPoolDriver(pool);
}

/** Opens the database a URL names (see the table above). */
export function openDatabase(url: string, options: OpenOptions = {}): Promise<Driver> {
  return openTarget(parseDatabaseUrl(url), options);
}

/**
 * A driver on an embedded PGlite instance the caller opened (say, to serve it over a socket too), with the DBOS
 * schema in place; the instance stays the caller's.
 */
// `db` is typed `object` so this module's declarations never name the optional PGlite package (an app without it
// must still type-check): it is the PGlite instance the caller opened.
export async function openEmbedded(db: object, options: Pick<OpenOptions, 'schema'> = {}): Promise<Driver> {
  const { pgliteDriver } = await import('../adapters/pglite.ts');
  return withSchema(await pgliteDriver({ db: db as NonNullable<PgliteDriverOptions['db']> }), options.schema);
}

/** The DBOS schema on a freshly opened embedded database (see src/schema/embedded.ts). */
async function withSchema(driver: Driver, schema: string | undefined): Promise<Driver> {
  const embedded = await import('./schema/embedded.ts');
  return embedded.withSchema(driver, schema);
}

/** Opens the driver a target names, loading only its adapter. */
export async function openTarget(target: DatabaseTarget, options: OpenOptions = {}): Promise<Driver> {
  switch (target.kind) {
    case 'postgres': {
      const { postgresDriver } = await import('../adapters/postgres.ts');
      return postgresDriver(
        target.connectionString,
        options.connection === 'per-request' ? PER_REQUEST_POSTGRES : POOL_POSTGRES,
      );
    }
    case 'neon-http': {
      const { neonHttpDriver } = await import('../adapters/neon-http.ts');
      return neonHttpDriver(
        target.connectionString,
        target.fetchEndpoint === undefined ? {} : { fetchEndpoint: target.fetchEndpoint },
      );
    }
    case 'neon-ws': {
      const { neonWsDriver } = await import('../adapters/neon-ws.ts');
      return neonWsDriver(target.connectionString, {
        ...(target.wsProxy === undefined ? {} : { wsProxy: target.wsProxy }),
        ...(target.useSecureWebSocket === undefined ? {} : { useSecureWebSocket: target.useSecureWebSocket }),
      });
    }
    case 'pglite': {
      const { pgliteDriver } = await import('../adapters/pglite.ts');
      const driver = await pgliteDriver(target.dataDir === undefined ? {} : { dataDir: target.dataDir });
      return withSchema(driver, options.schema);
    }
  }
}

export function resolveDriver(config: {
  driver?: Driver | undefined;
  systemDatabaseUrl?: string | undefined;
  applicationDatabaseUrl?: string | undefined;
  systemDatabaseSchemaName?: string | undefined;
  connection?: OpenOptions['connection'] | undefined;
}): () => Promise<Driver> {
  if (config.driver) {
    const driver = config.driver;
    return async () => driver;
  }
  const url =
    config.systemDatabaseUrl ??
    (config.applicationDatabaseUrl ? systemUrlFromApplicationUrl(config.applicationDatabaseUrl) : undefined);
  if (!url) {
    throw new ValidationError([
      {
        field: 'systemDatabaseUrl',
        rule: 'required',
        message: 'give systemDatabaseUrl, applicationDatabaseUrl or a driver',
      },
    ]);
  }
  // A bad derived URL is the application URL's fault: name that field.
  const target = parseDatabaseUrl(url, config.systemDatabaseUrl ? 'systemDatabaseUrl' : 'applicationDatabaseUrl');
  const options: OpenOptions = {
    ...(config.systemDatabaseSchemaName === undefined ? {} : { schema: config.systemDatabaseSchemaName }),
    ...(config.connection === undefined ? {} : { connection: config.connection }),
  };
  return () => openTarget(target, options);
}

/**
 * A client's system database: the driver opened (from the configuration, on first use) and the schema's features
 * read, once. A failure is not cached, so the next call retries. Closing closes the driver only if it opened it.
 * A `per-request` client reads no features it does not know already: it assumes the newest schema's, and reads
 * them only if a statement finds an older schema (see `runOn`), saving a Worker's first request a round trip.
 */
export class SystemDatabase {
  readonly #open: () => Promise<Driver>;
  readonly #ownsDriver: boolean;
  readonly #schema: string;
  readonly #quotedSchema: string;
  readonly #assumeNewest: boolean;
  #ready: Promise<{ driver: Driver; ctx: SqlContext }> | undefined;
  #opened: Promise<Driver> | undefined;

  constructor(config: Parameters<typeof resolveDriver>[0]) {
    this.#schema = validateSchemaName(config.systemDatabaseSchemaName ?? 'dbos');
    this.#quotedSchema = quoteIdent(this.#schema);
    this.#open = resolveDriver(config);
    this.#ownsDriver = config.driver === undefined;
    this.#assumeNewest = config.connection === 'per-request';
  }

  connect(): Promise<{ driver: Driver; ctx: SqlContext }> {
    this.#ready ??= (async () => {
      const driver = await this.#driver();
      const known = knownSchema(driver, this.#schema);
      if (known === undefined && this.#assumeNewest) return { driver, ctx: this.#assumed(driver) };
      const features = known ?? (await detectSchemaCached(driver, this.#quotedSchema, this.#schema));
      return { driver, ctx: { schema: this.#quotedSchema, features } };
    })().catch((e) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  /**
   * The driver, opened once: a schema read that failed (the database unreachable, the backend terminated) is tried
   * again on the same pool, not on a new one per attempt that would leak the last and open every connection afresh.
   */
  #driver(): Promise<Driver> {
    this.#opened ??= this.#open().catch((e) => {
      this.#opened = undefined;
      throw e;
    });
    return this.#opened;
  }

  /** The newest schema's features, until a statement's failure says otherwise. */
  #assumed(driver: Driver): SqlContext {
    return {
      schema: this.#quotedSchema,
      features: NEWEST_FEATURES,
      confirm: async (error) => {
        const features = await detectSchemaCached(driver, this.#quotedSchema, this.#schema);
        if (sameFeatures(features, NEWEST_FEATURES)) throw error;
        const ctx = { schema: this.#quotedSchema, features };
        this.#ready = Promise.resolve({ driver, ctx });
        return ctx;
      },
    };
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    this.#ready = undefined;
    this.#opened = undefined;
    if (opened && this.#ownsDriver) await (await opened.catch(() => undefined))?.close();
  }
}
