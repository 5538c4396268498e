/**
 * Stands in for `@electric-sql/pglite` in the Cloudflare bundle (`[alias]` in wrangler.toml): a Worker cannot run
 * the embedded database (the Worker entry refuses `pglite:` URLs before any import), and leaving PGlite out keeps
 * about 170 KiB (gzipped, half the bundle) of WebAssembly glue out of every cold start. It stands in for
 * `src/schema/embedded.ts` too, the DBOS schema made on an embedded database, so that the schema's DDL (about 4 KiB
 * gzipped) stays out as well.
 */
import { DriverError } from '../src/errors.ts';

export class PGlite {
  static create(): never {
    throw new DriverError('PGlite is not available on Cloudflare Workers: set a postgres:// or neon+http:// URL', {});
  }
  constructor() {
    PGlite.create();
  }
}

/** `src/schema/embedded.ts`'s: never reached, since no embedded database opens first. */
export async function withSchema(): Promise<never> {
  return PGlite.create();
}
