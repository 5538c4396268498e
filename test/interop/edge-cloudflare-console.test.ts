/**
 * The web console on Cloudflare Workers: `worker/cloudflare-console.ts` bundled by `wrangler deploy --dry-run` (the
 * repository's wrangler.toml with that entry as `main`) and run in workerd, serving /ui and the API beside it; the
 * API-only bundle of worker/cloudflare.ts carries none of the console's assets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildVariant, buildWorker, type RunningWorker, runWorker, type WorkerBundle } from '../fixtures/workerd.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READ = 'read-token-for-the-console-0001';
const FULL = 'full-token-for-the-console-0002';
/** A string only the console's page holds. */
const UI_MARKER = 'Skip to content';

let consoleBundle: WorkerBundle;
let apiBundle: WorkerBundle;
let worker: RunningWorker;

beforeAll(async () => {
  // The repository's configuration with the console entry.
  [consoleBundle, apiBundle] = await Promise.all([
    buildVariant({ main: join(ROOT, 'worker/cloudflare-console.ts') }),
    buildWorker(),
  ]);
  worker = await runWorker(consoleBundle, {
    DBOS_SYSTEM_DATABASE_URL: inject('interopDatabaseUrl'),
    DBOS_APPLICATION_NAME: inject('interopAppName'),
    DBOS_EDGE_API_TOKENS: `full:${FULL},read:${READ}`,
  });
});

afterAll(async () => {
  await worker?.dispose();
  await consoleBundle?.remove();
  await apiBundle?.remove();
});

describe('the console Worker', () => {
  it('serves the page and its assets at /ui', async () => {
    const page = await worker.fetch('/ui/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain(UI_MARKER);
    const script = await worker.fetch('/ui/app.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('/v1/whoami');
  });

  it('serves the API the page calls, with the token scope', async () => {
    const me = await worker.fetch('/v1/whoami', { headers: { authorization: `Bearer ${READ}` } });
    expect(await me.json()).toEqual({ scope: 'read', open: false });
    const page = await worker.fetch('/v1/workflow-pages?limit=1', { headers: { authorization: `Bearer ${READ}` } });
    expect(page.status).toBe(200);
    expect((await worker.fetch('/v1/whoami')).status).toBe(401);
  });

  it('is the only bundle carrying the console: the API Worker has none of it', async () => {
    expect(await readFile(consoleBundle.path, 'utf8')).toContain(UI_MARKER);
    expect(await readFile(apiBundle.path, 'utf8')).not.toContain(UI_MARKER);
    expect(consoleBundle.bytes).toBeGreaterThan(apiBundle.bytes);
  });
});
