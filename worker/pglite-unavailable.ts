/**
 * Stands in for the embedded database in the Cloudflare bundle (`[alias]` in wrangler.toml): for the PGlite adapter
 * (`../adapters/pglite.ts`, as src/connect.ts imports it) and for `./schema/embedded.ts`, the DBOS schema made on an
 * embedded database. A Worker cannot run PGlite (the Worker entry refuses `pglite:` URLs before any import), and
 * leaving it out keeps about 170 KiB (gzipped, half the bundle) of WebAssembly glue, the adapter and the schema's
 * DDL out of every cold start.
 */
import { DriverError } from '../src/errors.ts';

const unavailable = (): never => {
  throw new DriverError(
    'PGlite is not available on Cloudflare Workers: set a postgres:// URL or a Hyperdrive binding (neon+http:// once Neon is built in)',
    {},
  );
};

/** The adapter's. */
export async function pgliteDriver(): Promise<never> {
  return unavailable();
}

/** `src/schema/embedded.ts`'s: never reached, since no embedded database opens first. */
export async function withSchema(): Promise<never> {
  return unavailable();
}
