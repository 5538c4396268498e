/**
 * `npm start`: the HTTP service on Node with `@hono/node-server`. Configuration comes from the environment (see
 * `configFromEnv` in src/http/config.ts). With no `DBOS_SYSTEM_DATABASE_URL` (or `DATABASE_URL`) it runs on the
 * embedded PGlite database in `DBOS_EDGE_DATA_DIR` (default `.data/pglite`), with the DBOS schema ensured; with one,
 * on that Postgres or Neon database. Runs the schedule tick every `DBOS_EDGE_TICK_INTERVAL_MS` (default 1 s; 0 turns
 * it off). Prints one start-up line (URL, database, auth mode), stops on SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { createService, startTicker, startupError, startupLine } from '../src/http/entry.ts';
import { lockDataDir } from './data-lock.ts';

export async function main(env: Record<string, string | undefined> = process.env) {
  const service = await createService({
    env,
    mode: 'shared',
    mkdir: (d) => {
      mkdirSync(d, { recursive: true });
      lockDataDir(d);
    },
  });
  const { port, hostname, tickIntervalMs } = service.config;
  const server = serve({ fetch: service.app.fetch, port, hostname }, (info) => {
    console.log(startupLine(service, `http://${hostname}:${info.port}`));
  });
  // A busy port is one line, not a stack trace.
  server.on('error', (error) => {
    console.error(startupError(error));
    process.exit(1);
  });
  const stopTicker = startTicker(service, tickIntervalMs);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    await stopTicker();
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return server;
}

main().catch((error: unknown) => {
  console.error(startupError(error));
  process.exit(1);
});
