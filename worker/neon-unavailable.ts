/**
 * Stands in for `@neondatabase/serverless` in a Worker that reaches Postgres over TCP (`postgres://`, or a Hyperdrive
 * binding), as wrangler.toml builds the service by default: `[alias] "@neondatabase/serverless" =
 * "./worker/neon-unavailable.ts"` keeps Neon's driver (about 49 KiB gzipped, a third of the service Worker) out of
 * every cold start. A `neon+http://` or `neon+ws://` URL then fails on first use with this error: a configuration
 * mistake to fix, not an outage to retry.
 */
import { DBOSEdgeError } from '../src/errors.ts';

const unavailable = (): never => {
  throw new DBOSEdgeError(
    'CONFIG',
    "Neon's driver is left out of this Worker: use a postgres:// URL or Hyperdrive, or delete the " +
      '"@neondatabase/serverless" line under [alias] in wrangler.toml to build it in for neon+http:// and neon+ws:// URLs',
  );
};

export const neon = unavailable;
export const neonConfig: Record<string, unknown> = {};
export const types = { getTypeParser: unavailable };
export class Client {
  constructor() {
    unavailable();
  }
}
export class Pool {
  constructor() {
    unavailable();
  }
}
