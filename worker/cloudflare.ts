/**
 * The Cloudflare Workers entry (`wrangler.toml` → `main`): `fetch` serves the Hono router of `src/http/`, and the
 * cron trigger's `scheduled` event runs the schedule tick at its scheduled time and logs the report. Configuration
 * comes from the bindings: `DBOS_SYSTEM_DATABASE_URL` (postgres://, neon+http://, neon+ws://) or a Hyperdrive
 * binding named `HYPERDRIVE`, and the same variables and secrets as `npm start` (`DBOS_EDGE_API_TOKENS`,
 * `DBOS_EDGE_WEBHOOKS`, `DBOS_EDGE_WEBHOOK_SECRET`, …). Each request and each cron run gets its own client and
 * connection (see `workerHandlers` in src/http/entry.ts). Needs `compatibility_flags = ["nodejs_compat"]`.
 */
import { workerHandlers } from '../src/http/entry.ts';

export default workerHandlers();
