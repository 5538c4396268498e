/** A real Postgres database, a client on it and the HTTP app over that client, driven with `app.request()`. */

import { type CreateAppOptions, createApp, type LogEntry, signStandardWebhook } from '../../../src/http/index.ts';
import { DBOSClient } from '../../../src/index.ts';
import { createDbosDatabase } from '../../helpers/pg.ts';

export const FULL = 'full-token-0123456789abcdef';
export const READ = 'read-token-0123456789abcdef';
export const TOKENS = [
  { token: FULL, scope: 'full' as const },
  { token: READ, scope: 'read' as const },
];
export const WHSEC = `whsec_${btoa('a standard webhooks test secret!')}`;
export const GITHUB_SECRET = 'github test secret';

export interface CallOptions {
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

export async function httpHarness(prefix: string, options: Partial<CreateAppOptions> = {}) {
  const db = await createDbosDatabase(prefix);
  const client = new DBOSClient({
    systemDatabaseUrl: db.url,
    polling: { minIntervalMs: 5, maxIntervalMs: 50 },
    // No DBOS app writes to these databases: schedules are fired by the tick, portable, with TypeScript IDs.
    schedulerApp: { language: 'typescript', serializer: 'portable' },
  });
  const logs: LogEntry[] = [];
  const app = createApp({ client, tokens: TOKENS, logger: (e) => logs.push(e), ...options });
  const call = (method: string, path: string, o: CallOptions = {}) => {
    const token = o.token === undefined ? FULL : o.token;
    const headers: Record<string, string> = {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    };
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    return app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  };
  /** Inserts a workflow row the way a worker leaves it. */
  const workflow = async (status = 'PENDING', extra: { output?: string; error?: string; queue?: string } = {}) => {
    const id = `wf-${crypto.randomUUID()}`;
    await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, output, error, serialization, created_at, updated_at)
      VALUES (${id}, ${status}, 'w', ${extra.queue ?? null}, ${extra.output ?? null}, ${extra.error ?? null}, 'portable_json', 0, 0)`;
    return id;
  };
  /** A fingerprint of every table a route can write to: equal before and after means nothing was written. */
  const counts = async () => {
    const tables = [
      'workflow_status',
      'notifications',
      'workflow_schedules',
      'operation_outputs',
      'workflow_events',
      'streams',
    ];
    const out: Record<string, string> = {};
    for (const t of tables) {
      const [r] = await db.sql.unsafe(
        `SELECT count(*)::int || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS f FROM dbos.${t} t`,
      );
      out[t] = String(r?.f);
    }
    return out;
  };
  return {
    db,
    client,
    app,
    call,
    logs,
    workflow,
    counts,
    async close() {
      await client.destroy();
      await db.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof httpHarness>>;

/** A Standard Webhooks delivery of `body` with ID `id`, signed for time `atMs` with `secret`, posted to `path`. */
export async function postStandardWebhook(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  path: string,
  delivery: { id: string; atMs: number; body: string; secret?: string },
): Promise<Response> {
  const ts = Math.floor(delivery.atMs / 1000);
  return app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(ts),
      'webhook-signature': await signStandardWebhook(delivery.secret ?? WHSEC, delivery.id, ts, delivery.body),
    },
    body: delivery.body,
  });
}
