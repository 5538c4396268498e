/**
 * The HTTP service on Node with `@hono/node-server`, shared by `npm start` (worker/node.ts) and `npm run dev`
 * (worker/dev.ts). Configuration comes from the environment (see `configFromEnv` in src/http/config.ts). With no
 * `DBOS_SYSTEM_DATABASE_URL` (or `DATABASE_URL`) it runs on the embedded PGlite database in `DBOS_EDGE_DATA_DIR`
 * (default `.data/pglite`), with the DBOS schema ensured; with one, on that Postgres or Neon database. Runs the
 * schedule tick every `DBOS_EDGE_TICK_INTERVAL_MS` (default 1 s; 0 turns it off). Prints one start-up line (URL,
 * database, auth mode), stops on SIGINT/SIGTERM. Serves the web console at /ui.
 */
import { mkdirSync } from 'node:fs';
import type { ServerType } from '@hono/node-server';
import { serve } from '@hono/node-server';
import { createService, startTicker, startupError, startupLine } from '../src/http/entry.ts';
import { uiApp } from '../src/http/ui.ts';
import { lockDataDir } from './data-lock.ts';

export interface NodeServerOptions {
  /** Runs after the service has closed, before the process exits (worker/dev.ts closes its database here). */
  afterClose?: () => Promise<void>;
}

/** Starts the service; on a start-up failure prints why in one line and exits 1. */
export async function serveOnNode(
  env: Record<string, string | undefined>,
  options: NodeServerOptions = {},
): Promise<ServerType | undefined> {
  try {
    const service = await createService({
      env,
      mode: 'shared',
      mkdir: (d) => {
        mkdirSync(d, { recursive: true });
        lockDataDir(d);
      },
      ui: uiApp(),
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
      await options.afterClose?.();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return server;
  } catch (error) {
    console.error(startupError(error));
    await options.afterClose?.();
    process.exit(1);
  }
}
