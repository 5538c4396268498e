/**
 * Neon's `Pool` (node-postgres over a WebSocket, from `@neondatabase/serverless`): the Postgres wire protocol
 * tunnelled through Neon's WebSocket proxy, or any WebSocket-to-TCP proxy. Unlike the HTTP driver it keeps
 * sessions, so `batch` runs in a real BEGIN/COMMIT transaction and `listen` works: every subscription of the
 * driver shares one dedicated listening connection, which reconnects and re-subscribes by itself if it drops.
 *
 * Errors are normalised like the TCP driver's (same `sqlState`, `constraint`, `detail`).
 */
import type { Client, ClientConfig, Pool, PoolClient, WebSocketConstructor } from '@neondatabase/serverless';
import type { Driver, Row, SqlParam, Statement } from '../src/driver.ts';
import { DriverError } from '../src/errors.ts';
import { loadNeon, typeParsers } from './neon-types.ts';

export interface NeonWsDriverOptions {
  /** Most pooled connections. Default 10 (plus one for LISTEN, opened on the first subscription). */
  max?: number;
  /** Milliseconds an idle pooled connection stays open. Default 30 000. */
  idleTimeoutMs?: number;
  /** Milliseconds to wait for a connection to open. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * The WebSocket class. Default: the runtime's global `WebSocket`, else (Node 20) the `ws` package's, loaded on
   * first connect.
   */
  webSocketConstructor?: WebSocketConstructor;
  /**
   * Where to open the WebSocket: a host/path (`?address=host:port` is appended) or a function of the database
   * host and port. Default: Neon's, `<host>/v2`.
   */
  wsProxy?: string | ((host: string, port: number | string) => string);
  /** `wss:` (default true); false for a plain `ws:` local proxy. */
  useSecureWebSocket?: boolean;
  /**
   * Send the startup and password messages without waiting (`'password'`, Neon's default, saves a round trip
   * but needs cleartext-password auth), or not (`false`, needed for any other auth, e.g. trust or SCRAM).
   * Default: false unless the proxy is Neon's own (no `wsProxy` given).
   */
  pipelineConnect?: 'password' | false;
}

/** Per-connection settings of the Neon socket (they override the package's process-wide `neonConfig`). */
type SocketSettings = Record<string, unknown>;

async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  try {
    // A computed specifier, so edge bundlers (whose runtimes have a global WebSocket) do not pull `ws` in.
    const specifier = 'ws';
    const ws = (await import(/* @vite-ignore */ specifier)) as { WebSocket?: unknown; default?: unknown };
    return (ws.WebSocket ?? ws.default) as WebSocketConstructor;
  } catch (e) {
    throw new DriverError(
      'This runtime has no global WebSocket: install the `ws` package or pass `webSocketConstructor`',
      { cause: e },
    );
  }
}

interface Connection {
  readonly pool: Pool;
  /** A connection outside the pool (for LISTEN), with the driver's socket settings. */
  newClient(): Client;
}

/** Creates a driver from a Postgres connection string; the driver owns its pool and closes it. */
export function neonWsDriver(connectionString: string, options: NeonWsDriverOptions = {}): Driver {
  const settings: SocketSettings = {
    ...(options.wsProxy !== undefined ? { wsProxy: options.wsProxy } : {}),
    ...(options.useSecureWebSocket !== undefined ? { useSecureWebSocket: options.useSecureWebSocket } : {}),
    pipelineConnect: options.pipelineConnect ?? (options.wsProxy === undefined ? 'password' : false),
    // A local proxy without TLS cannot take a pipelined TLS handshake either.
    ...(options.useSecureWebSocket === false ? { pipelineTLS: false } : {}),
    disableWarningInBrowsers: true,
  };
  let webSocket: Promise<WebSocketConstructor> | undefined;
  const resolveWebSocket = () => {
    webSocket ??= options.webSocketConstructor
      ? Promise.resolve(options.webSocketConstructor)
      : defaultWebSocket().catch((e) => {
          webSocket = undefined;
          throw e;
        });
    return webSocket;
  };
  let ctor: WebSocketConstructor | undefined;

  // The package is loaded, and the pool made, on first use (see missingPackageError in src/errors.ts).
  let opened: Promise<Connection> | undefined;
  const open = (): Promise<Connection> => {
    opened ??= loadNeon('a neon+ws:// database').then(
      ({ Client, Pool, types }) => {
        /** A Neon client whose socket uses this driver's settings, not the process-wide ones. */
        class ConfiguredClient extends Client {
          constructor(config?: string | ClientConfig) {
            super(config);
            Object.assign(this.neonConfig, settings, ctor ? { webSocketConstructor: ctor } : {});
          }
        }
        const clientConfig: ClientConfig = {
          connectionString,
          types: typeParsers(types),
          application_name: 'dbos-edge',
          connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
        };
        let pool: Pool;
        try {
          pool = new Pool({
            ...clientConfig,
            max: options.max ?? 10,
            idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
          });
        } catch (e) {
          throw DriverError.from(e);
        }
        pool.Client = ConfiguredClient;
        // An idle connection that breaks (the proxy went away) is dropped by the pool; without a listener it would throw.
        pool.on('error', () => {});
        // Any listener but 'error' also keeps queries on the WebSocket even if `neonConfig.poolQueryViaFetch` is set.
        pool.on('connect', () => {});
        return { pool, newClient: () => new ConfiguredClient(clientConfig) };
      },
      (e: unknown) => {
        opened = undefined;
        throw e;
      },
    );
    return opened;
  };

  let closed = false;
  const ready = async (): Promise<Connection> => {
    if (closed) throw new DriverError('The Neon WebSocket driver is closed', {});
    ctor ??= await resolveWebSocket();
    return open();
  };
  const notifier = new Notifier(async () => {
    const client = (await ready()).newClient();
    client.on('error', () => {}); // reported through 'end' and the failing query
    await client.connect();
    return client;
  });

  return {
    async query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      const { pool } = await ready();
      try {
        return (await pool.query(text, [...params])).rows as R[];
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async batch(statements: readonly Statement[]): Promise<Row[][]> {
      const { pool } = await ready();
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw DriverError.from(e);
      }
      let broken: unknown;
      // A checked-out connection that drops emits 'error' besides failing the query: record it, never let it throw.
      const onError = (e: Error) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const results: Row[][] = [];
        for (const s of statements) results.push((await client.query(s.text, [...s.params])).rows as Row[]);
        await client.query('COMMIT');
        return results;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackFailed) {
          broken = rollbackFailed; // the connection is gone (the server rolls back by itself): do not reuse it
        }
        throw DriverError.from(e);
      } finally {
        client.off('error', onError);
        client.release(broken instanceof Error ? broken : undefined);
      }
    },

    async listen(channel: string, onPayload: (payload: string) => void) {
      await ready();
      return notifier.subscribe(channel, onPayload);
    },

    async close() {
      if (closed) return;
      closed = true;
      await notifier.close();
      const connection = await opened?.catch(() => undefined);
      await connection?.pool.end();
    },
  };
}

interface Subscription {
  readonly callbacks: Set<(payload: string) => void>;
  /** Settles when the channel's LISTEN has run on the current connection. */
  listening: Promise<void>;
}

/** One listening connection shared by every subscription of a driver; reconnects and re-LISTENs after a drop. */
class Notifier {
  readonly #channels = new Map<string, Subscription>();
  #client: Promise<Client> | undefined;
  #current: Client | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 100;
  #closed = false;

  readonly #open: () => Promise<Client>;

  constructor(open: () => Promise<Client>) {
    this.#open = open;
  }

  async subscribe(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let sub = this.#channels.get(channel);
    if (!sub) {
      const fresh: Subscription = { callbacks: new Set(), listening: Promise.resolve() };
      fresh.listening = this.#listen(channel);
      this.#channels.set(channel, fresh);
      sub = fresh;
    }
    const callback = (payload: string) => onPayload(payload);
    sub.callbacks.add(callback);
    try {
      await sub.listening;
    } catch (e) {
      sub.callbacks.delete(callback);
      if (sub.callbacks.size === 0 && this.#channels.get(channel) === sub) this.#channels.delete(channel);
      throw DriverError.from(e);
    }
    const current = sub;
    return async () => {
      current.callbacks.delete(callback);
      if (current.callbacks.size > 0 || this.#channels.get(channel) !== current) return;
      this.#channels.delete(channel);
      const client = await this.#client?.catch(() => undefined);
      await client?.query(`UNLISTEN ${quoteChannel(channel)}`).catch(() => {});
    };
  }

  async #listen(channel: string): Promise<void> {
    const client = await this.#connection();
    await client.query(`LISTEN ${quoteChannel(channel)}`);
  }

  #connection(): Promise<Client> {
    if (this.#closed) return Promise.reject(new DriverError('The Neon WebSocket driver is closed', {}));
    this.#client ??= (async () => {
      const client = await this.#open();
      client.on('notification', (n) => {
        for (const cb of this.#channels.get(n.channel)?.callbacks ?? []) cb(n.payload ?? '');
      });
      client.on('end', () => this.#lost(client));
      this.#current = client;
      this.#backoffMs = 100;
      return client;
    })();
    this.#client.catch(() => {
      this.#client = undefined;
    });
    return this.#client;
  }

  /** The listening connection dropped: reconnect (with backoff) and LISTEN again on every channel still wanted. */
  #lost(client: Client): void {
    if (this.#current !== client) return;
    this.#current = undefined;
    this.#client = undefined;
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#channels.size === 0 || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#resubscribe();
    }, this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5_000);
  }

  #resubscribe(): void {
    if (this.#closed || this.#channels.size === 0) return;
    this.#connection()
      .then(async (c) => {
        for (const [channel, sub] of this.#channels) {
          sub.listening = c.query(`LISTEN ${quoteChannel(channel)}`).then(() => {});
          await sub.listening;
        }
      })
      .catch(() => this.#scheduleRetry());
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#channels.clear();
    const client = await this.#client?.catch(() => undefined);
    this.#client = undefined;
    this.#current = undefined;
    await client?.end().catch(() => {});
  }
}

/** Channel names are identifiers in LISTEN; quote them (any text is allowed, double quotes doubled). */
function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
