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
 * For the Neon schemes the rest of the URL is the Postgres connection string Neon expects, sent as
 * `postgresql://…` without the `fetch_endpoint` / `ws_proxy` / `ws_secure` parameters. Adapters are loaded with a
 * dynamic import on first use, so a bundle only pulls in the one it uses (and none when a driver is passed).
 */
import type { Driver } from './driver.ts';
import { ValidationError } from './errors.ts';

/** DBOS's default: the system database is the application database's name plus `_dbos_sys`. */
export function systemUrlFromApplicationUrl(applicationUrl: string): string {
  let url: URL;
  try {
    url = new URL(applicationUrl);
  } catch {
    throw new ValidationError([{ field: 'applicationDatabaseUrl', rule: 'url', message: 'is not a valid URL' }]);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
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

/** Opens the driver a target names, loading only its adapter. */
export async function openTarget(target: DatabaseTarget, options: { schema?: string } = {}): Promise<Driver> {
  switch (target.kind) {
    case 'postgres': {
      const { postgresDriver } = await import('../adapters/postgres.ts');
      return postgresDriver(target.connectionString);
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
      return pgliteDriver({
        ...(target.dataDir === undefined ? {} : { dataDir: target.dataDir }),
        ...(options.schema === undefined ? {} : { schema: options.schema }),
      });
    }
  }
}

export function resolveDriver(config: {
  driver?: Driver | undefined;
  systemDatabaseUrl?: string | undefined;
  applicationDatabaseUrl?: string | undefined;
  systemDatabaseSchemaName?: string | undefined;
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
  const target = parseDatabaseUrl(url);
  const schema = config.systemDatabaseSchemaName;
  return () => openTarget(target, schema === undefined ? {} : { schema });
}
