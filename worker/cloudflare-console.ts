/**
 * The Cloudflare Workers entry with the web console: `worker/cloudflare.ts` plus the UI at /ui (its assets embedded
 * in the bundle). Deploy it in place of the API-only entry with `npx wrangler deploy worker/cloudflare-console.ts`;
 * the API-only Worker stays as lean as it was.
 */
import { workerHandlers } from '../src/http/entry.ts';
import { uiApp } from '../src/http/ui.ts';

export default workerHandlers({ ui: uiApp() });
