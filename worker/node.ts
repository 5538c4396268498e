/**
 * `npm start`: the HTTP service on Node with `@hono/node-server`. Configuration comes from the environment (see
 * `configFromEnv` in src/http/config.ts). With no `DBOS_SYSTEM_DATABASE_URL` (or `DATABASE_URL`) it runs on the
 * embedded PGlite database in `DBOS_EDGE_DATA_DIR` (default `.data/pglite`), with the DBOS schema ensured; with one,
 * on that Postgres or Neon database. Prints one start-up line (URL, database, auth mode), stops on SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { openDefaultDriver } from '../adapters/pglite.ts';
import { DBOSClient } from '../src/client.ts';
import type { Driver } from '../src/driver.ts';
import { ValidationError } from '../src/errors.ts';
import { configFromEnv, createApp } from '../src/http/index.ts';

function redact(url: string): string {
  try {
    const u = new URL(url.replace(/^neon\+(http|ws):/i, 'postgresql:'));
    return `${url.split(':')[0]}://${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return url.split(':')[0] ?? 'database';
  }
}

export async function main(env: Record<string, string | undefined> = process.env) {
  const config = configFromEnv(env);
  // Check the app's options (tokens, webhooks, limits) before opening any database.
  createApp({ ...config.app, logger: false, clientFactory: () => Promise.reject(new Error('not serving')) });
  let driver: Driver | undefined;
  let database: string;
  if (config.databaseUrl) {
    database = redact(config.databaseUrl);
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    driver = await openDefaultDriver({ dataDir: config.dataDir, schema: config.schema });
    database = `embedded PGlite in ${config.dataDir}`;
  }
  const client = new DBOSClient({
    ...(driver ? { driver } : { systemDatabaseUrl: config.databaseUrl as string }),
    systemDatabaseSchemaName: config.schema,
    ...(config.applicationName ? { applicationName: config.applicationName } : {}),
  });
  const app = createApp({ ...config.app, client });
  const tokens = config.app.tokens ?? [];
  const auth =
    tokens.length === 0
      ? 'INSECURE (no tokens, DBOS_EDGE_INSECURE_DEV=1): every route is open'
      : `bearer tokens (${tokens.filter((t) => t.scope === 'full').length} full, ${tokens.filter((t) => t.scope === 'read').length} read)`;
  const hostname = env.HOST || '127.0.0.1';
  const server = serve({ fetch: app.fetch, port: config.port, hostname }, (info) => {
    console.log(
      `dbos-edge listening on http://${hostname}:${info.port} — database: ${database} (schema ${config.schema}) — auth: ${auth} — docs: /docs`,
    );
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    await client.destroy();
    await driver?.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return server;
}

main().catch((error: unknown) => {
  if (error instanceof ValidationError) {
    console.error(`dbos-edge: refusing to start: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  } else {
    console.error('dbos-edge: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
