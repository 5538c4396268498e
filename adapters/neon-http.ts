/**
 * Neon's SQL over HTTP (`neon()` from `@neondatabase/serverless`): every `query` is one HTTP request and every
 * `batch` one `transaction([...])` request, run by the endpoint as one Postgres transaction. Nothing stays open
 * between requests, so it suits edge functions that may not keep sockets; there is no LISTEN, so the client's
 * waits poll.
 *
 * Errors are normalised like the TCP driver's: a Postgres error carries the same `sqlState`, `constraint` and
 * `detail` on both (Neon answers HTTP 400 with the server's error fields); a transport failure (no answer, an
 * HTTP 5xx, a reply that is not Neon's shape) is a `DriverError` without `sqlState`.
 */
import type { NeonQueryFunction } from '@neondatabase/serverless';
import { type Driver, databaseIdentity, type Row, type SqlParam, type Statement } from '../src/driver.ts';
import { DBOSEdgeError, DriverError } from '../src/errors.ts';
import { loadNeon, type NeonPackage, typeParsers } from './neon-types.ts';

export interface NeonHttpDriverOptions {
  /**
   * The SQL-over-HTTP endpoint, e.g. `http://127.0.0.1:4444/sql` for a local Neon-compatible proxy. Default:
   * Neon's own, `https://api.<host without its first label>/sql`. Applies to this driver only.
   */
  fetchEndpoint?: string;
  /** The `fetch` to send requests with (an instrumented fetch, a service binding). Applies to this driver only. */
  fetch?: typeof fetch;
  /** A JWT sent as `Authorization: Bearer …` (Neon RLS / Authorize), or a function returning one. */
  authToken?: string | (() => string | Promise<string>);
}

// `neonConfig.fetchEndpoint` and `fetchFunction` are process-wide. So that each driver can have its own endpoint
// without touching other users of the package, a driver with either option tags its requests (a symbol key in the
// fetch options, which Neon passes through) and one shared fetch function routes tagged requests accordingly.
const ROUTE = Symbol.for('dbos-edge.neon-http.route');
const ROUTER = Symbol.for('dbos-edge.neon-http.router');
interface Route {
  readonly endpoint: string | undefined;
  readonly fetch: typeof fetch | undefined;
}
type FetchLike = ((url: string, init?: RequestInit) => Promise<Response>) & { [ROUTER]?: true };

function installRouter(neonConfig: NeonPackage['neonConfig']): void {
  const current = neonConfig.fetchFunction as FetchLike | undefined;
  if (current?.[ROUTER]) return;
  const router: FetchLike = (url, init) => {
    const route = (init as Record<PropertyKey, unknown> | undefined)?.[ROUTE] as Route | undefined;
    if (!route) return (current ?? fetch)(url, init);
    const { [ROUTE]: _, ...rest } = init as Record<PropertyKey, unknown>;
    return (route.fetch ?? fetch)(route.endpoint ?? url, rest as RequestInit);
  };
  router[ROUTER] = true;
  neonConfig.fetchFunction = router;
}

interface Connection {
  readonly sql: NeonQueryFunction<false, false>;
  readonly neonConfig: NeonPackage['neonConfig'];
  readonly types: ReturnType<typeof typeParsers>;
}

/** Creates a driver from a Postgres connection string (Neon's, or any a Neon-compatible endpoint accepts). */
export function neonHttpDriver(connectionString: string, options: NeonHttpDriverOptions = {}): Driver {
  const routed = options.fetchEndpoint !== undefined || options.fetch !== undefined;
  const route: Route = { endpoint: options.fetchEndpoint, fetch: options.fetch };
  // The package is loaded, and the query function made, on the first request (see missingPackageError in src/errors.ts).
  let opened: Promise<Connection> | undefined;
  const open = (): Promise<Connection> => {
    opened ??= loadNeon('a neon+http:// database').then(
      ({ neon, neonConfig, types }) => ({
        sql: neon(connectionString, {
          ...(routed ? { fetchOptions: { [ROUTE]: route } } : {}),
          ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
          disableWarningInBrowsers: true,
        }),
        neonConfig,
        types: typeParsers(types),
      }),
      (e: unknown) => {
        opened = undefined;
        throw e;
      },
    );
    return opened;
  };
  let closed = false;

  const send = async <T>(run: (connection: Connection) => Promise<T>): Promise<T> => {
    if (closed) throw new DriverError('The Neon HTTP driver is closed', {});
    try {
      const connection = await open();
      // Re-checked per request: someone may have replaced the process-wide fetch function since.
      if (routed) installRouter(connection.neonConfig);
      return await run(connection);
    } catch (e) {
      throw e instanceof DBOSEdgeError ? e : DriverError.from(e);
    }
  };

  return {
    database: databaseIdentity(connectionString),
    query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      return send(async ({ sql, types }) => (await sql.query(text, [...params], { types })) as R[]);
    },

    batch(statements: readonly Statement[]): Promise<Row[][]> {
      if (statements.length === 0) return Promise.resolve([]);
      return send(
        async ({ sql, types }) =>
          (await sql.transaction(statements.map((s) => sql.query(s.text, [...s.params], { types })))) as Row[][],
      );
    },

    async close() {
      closed = true;
    },
  };
}
