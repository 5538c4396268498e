/**
 * The Deno and Deno Deploy entry: `deno task start` (`deno run` with the permissions it needs). `Deno.serve` serves
 * the same router as `npm start`; `Deno.cron` runs the schedule tick every minute (`"unstable": ["cron"]` in
 * deno.json enables it locally; Deno Deploy runs it as a cron job). Configuration from the environment (see
 * `configFromEnv`); a database URL is required unless the embedded PGlite folder can be written (not on Deploy).
 * On Deploy, the port and interface are the platform's.
 */
import { createService, startupError, startupLine } from '../src/http/entry.ts';
import { uiApp } from '../src/http/ui.ts';

declare const Deno: {
  env: { toObject(): Record<string, string> };
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  cron(name: string, schedule: string, handler: () => Promise<void>): Promise<void>;
  serve(
    options: { port?: number; hostname?: string; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
};

const env = Deno.env.toObject();
const onDeploy = env.DENO_DEPLOYMENT_ID !== undefined;
const service = createService({
  env,
  mode: 'shared',
  mkdir: (d) => Deno.mkdir(d, { recursive: true }),
  ui: uiApp(),
  public: onDeploy,
});

// Registered at the top level, as Deno Deploy requires (DBOS_EDGE_TICK_INTERVAL_MS=0 leaves it out). A failed tick
// rejects, and Deno logs it.
if (env.DBOS_EDGE_TICK_INTERVAL_MS !== '0') {
  Deno.cron('dbos-edge schedule tick', '* * * * *', async () => {
    await (await service).tick();
  });
}

try {
  const s = await service;
  const server = Deno.serve(
    {
      ...(onDeploy ? {} : { port: s.config.port, hostname: s.config.hostname }),
      onListen: ({ hostname, port }) => console.log(startupLine(s, `http://${hostname}:${port}`, 'deno')),
    },
    (request) => s.app.fetch(request),
  );
  const stop = async () => {
    await server.shutdown();
    await s.close();
    Deno.exit(0);
  };
  Deno.addSignalListener('SIGINT', stop);
  Deno.addSignalListener('SIGTERM', stop);
} catch (error) {
  console.error(startupError(error));
  Deno.exit(1);
}
