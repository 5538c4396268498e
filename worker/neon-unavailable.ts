/**
 * Stands in for the Neon adapters (`../adapters/neon-http.ts` and `../adapters/neon-ws.ts`, as src/connect.ts
 * imports them) in a Worker that reaches Postgres over TCP (`postgres://`, or a Hyperdrive binding), as wrangler.toml
 * builds the service by default: its two `[alias]` lines keep the adapters and Neon's driver (about 48 KiB gzipped, a
 * third of the service Worker) out of every cold start. A `neon+http://` or `neon+ws://` URL then fails on first use
 * with this error: a configuration mistake to fix, not an outage to retry.
 */
import { DBOSEdgeError } from '../src/errors.ts';

const unavailable = (): never => {
  throw new DBOSEdgeError(
    'CONFIG',
    "Neon's driver is left out of this Worker: use a postgres:// URL or Hyperdrive, or delete the two " +
      '"../adapters/neon-*.ts" lines under [alias] in wrangler.toml to build it in for neon+http:// and neon+ws:// URLs',
  );
};

export const neonHttpDriver = unavailable;
export const neonWsDriver = unavailable;
