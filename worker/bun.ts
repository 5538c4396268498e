/**
 * The Bun entry: `bun worker/bun.ts`. The same router as `npm start` on `Bun.serve`, and the schedule tick every
 * `DBOS_EDGE_TICK_INTERVAL_MS` (default 1 s). Configuration from the environment (see `configFromEnv`); without a
 * database URL it runs on the embedded PGlite database in `DBOS_EDGE_DATA_DIR`. Stops on SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { createService, startTicker, startupError, startupLine } from '../src/http/entry.ts';
import { uiApp } from '../src/http/ui.ts';
import { lockDataDir } from './data-lock.ts';

declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

try {
  const service = await createService({
    env: Bun.env,
    mode: 'shared',
    mkdir: (d) => {
      mkdirSync(d, { recursive: true });
      lockDataDir(d);
    },
    ui: uiApp(),
  });
  const { port, hostname, tickIntervalMs } = service.config;
  const server = Bun.serve({ port, hostname, fetch: (request) => service.app.fetch(request) });
  const stopTicker = startTicker(service, tickIntervalMs);
  console.log(startupLine(service, `http://${hostname}:${server.port}`, 'bun'));
  const stop = async () => {
    await stopTicker();
    await server.stop(true);
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(startupError(error));
  process.exit(1);
}
