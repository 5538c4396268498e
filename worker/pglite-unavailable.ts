/**
 * Stands in for `@electric-sql/pglite` in the Cloudflare bundle (`[alias]` in wrangler.toml): a Worker cannot run
 * the embedded database (the Worker entry refuses `pglite:` URLs before any import), and leaving PGlite out keeps
 * about 170 KiB (gzipped, half the bundle) of WebAssembly glue out of every cold start.
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
