/**
 * Stands in for `@neondatabase/serverless` in a Worker that reaches Postgres only over TCP (`postgres://`, or a
 * Hyperdrive binding): `[alias] "@neondatabase/serverless" = "./worker/neon-unavailable.ts"` in its wrangler.toml
 * keeps Neon's driver (about 49 KiB gzipped, a third of the service Worker) out of every cold start. A `neon+http://`
 * or `neon+ws://` URL then fails on first use with this error.
 */
import { DriverError } from '../src/errors.ts';

const unavailable = (): never => {
  throw new DriverError(
    'The Neon driver is aliased away in this Worker (see worker/neon-unavailable.ts): use a postgres:// URL or Hyperdrive',
    {},
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
