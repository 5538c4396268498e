/**
 * The connection of one CLI run. `--service URL --token T` (or `DBOS_EDGE_SERVICE_URL`, `DBOS_EDGE_TOKEN`) calls a
 * running service over the network. Otherwise `--url` (or `DBOS_SYSTEM_DATABASE_URL`, `DATABASE_URL`) opens the
 * database with a `DBOSClient` and serves the same /v1 routes in-process, never on a port.
 */
import { DBOSClient } from '../src/client.ts';
import { ValidationError } from '../src/errors.ts';
import { createApp, parseSchedulerApp } from '../src/http/index.ts';
import { Api } from './api.ts';
import { CliError, EXIT } from './exit.ts';

export interface ConnectOptions {
  url?: string;
  service?: string;
  token?: string;
  schema?: string;
  app?: string;
}

export interface Connection {
  readonly api: Api;
  /** What the CLI talks to, for messages. */
  readonly target: string;
  close(): Promise<void>;
}

export function connect(options: ConnectOptions, env: Record<string, string | undefined>): Connection {
  const service = options.service ?? env.DBOS_EDGE_SERVICE_URL;
  if (service !== undefined) {
    const token = options.token ?? env.DBOS_EDGE_TOKEN;
    let base: URL;
    try {
      base = new URL(service);
    } catch {
      throw new CliError(`--service: not a URL: ${service}`, EXIT.usage);
    }
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const send = (request: Request) => {
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
      return fetch(request);
    };
    return { api: new Api(send, base.href), target: base.origin, close: async () => {} };
  }
  const url = options.url ?? env.DBOS_SYSTEM_DATABASE_URL ?? env.DATABASE_URL;
  if (url === undefined) {
    throw new CliError(
      'no connection: set DBOS_SYSTEM_DATABASE_URL or pass --url, or --service URL --token TOKEN',
      EXIT.usage,
    );
  }
  let client: DBOSClient;
  try {
    client = new DBOSClient({
      systemDatabaseUrl: url,
      ...(options.schema ? { systemDatabaseSchemaName: options.schema } : {}),
      ...(options.app ? { applicationName: options.app } : {}),
      ...(env.DBOS_EDGE_SCHEDULER_APP ? { schedulerApp: parseSchedulerApp(env.DBOS_EDGE_SCHEDULER_APP) } : {}),
    });
  } catch (e) {
    if (e instanceof ValidationError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  // The router answers a failure as a bare 500 or 503 (a service must not leak it); here the user is the operator,
  // so the cause the router logged goes into the problem's detail.
  let cause: string | undefined;
  const app = createApp({
    client,
    insecureDev: true,
    logger: (entry) => {
      if (entry.level === 'error') cause = String((entry.error as { message?: unknown } | undefined)?.message);
    },
  });
  const local = async (request: Request) => {
    cause = undefined;
    const response = await app.fetch(request);
    if (response.status < 500 || cause === undefined) return response;
    const problem = (await response.json()) as Record<string, unknown>;
    return Response.json({ ...problem, detail: cause }, { status: response.status });
  };
  return { api: new Api(local, 'http://local'), target: 'the database', close: () => client.destroy() };
}
