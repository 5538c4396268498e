/**
 * The DBOS schema made on a freshly opened embedded database (PGlite), the one database dbos-edge creates a schema
 * in by itself. A module of its own, loaded by connect.ts on first use, so that a Cloudflare Worker (which cannot run
 * PGlite) swaps it for `worker/pglite-unavailable.ts` with an `[alias]` of wrangler.toml and leaves the schema's DDL
 * (about 4 KiB gzipped) out of its bundle. `ensureSchema` itself stays exported for any runtime, Workers included.
 */
import type { Driver } from '../driver.ts';
import { ensureSchema } from './ensure.ts';

/** Ensures the DBOS schema on a freshly opened embedded database; closes the driver if that fails. */
export async function withSchema(driver: Driver, schema: string | undefined): Promise<Driver> {
  try {
    await ensureSchema(driver, schema === undefined ? {} : { schema });
  } catch (e) {
    await driver.close();
    throw e;
  }
  return driver;
}
