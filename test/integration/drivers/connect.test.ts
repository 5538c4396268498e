/** Choosing a driver from configuration: URL schemes, lazily loaded adapters, and the embedded PGlite default. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, parseDatabaseUrl } from '../../../src/connect.ts';
import { DBOSClient, ValidationError } from '../../../src/index.ts';
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from '../../fixtures/neon-http-endpoint.ts';
import { startWsProxy, type WsProxy } from '../../fixtures/ws-proxy.ts';
import { createDbosDatabase } from '../../helpers/pg.ts';

describe('parseDatabaseUrl', () => {
  it.each([
    ['postgres://u@h:5432/db', { kind: 'postgres', connectionString: 'postgres://u@h:5432/db' }],
    ['postgresql://u@h/db', { kind: 'postgres', connectionString: 'postgresql://u@h/db' }],
    [
      'neon+http://u:p@ep-x.neon.tech/db?sslmode=require',
      { kind: 'neon-http', connectionString: 'postgresql://u:p@ep-x.neon.tech/db?sslmode=require' },
    ],
    [
      'neon+http://u@h:5432/db?fetch_endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fsql&sslmode=disable',
      {
        kind: 'neon-http',
        connectionString: 'postgresql://u@h:5432/db?sslmode=disable',
        fetchEndpoint: 'http://127.0.0.1:9/sql',
      },
    ],
    ['neon+ws://u:p@ep-x.neon.tech/db', { kind: 'neon-ws', connectionString: 'postgresql://u:p@ep-x.neon.tech/db' }],
    [
      'neon+ws://u@h/db?ws_proxy=127.0.0.1:9/v2&ws_secure=false',
      {
        kind: 'neon-ws',
        connectionString: 'postgresql://u@h/db',
        wsProxy: '127.0.0.1:9/v2',
        useSecureWebSocket: false,
      },
    ],
    ['pglite:', { kind: 'pglite' }],
    ['pglite://', { kind: 'pglite' }],
    ['pglite://./.data/db', { kind: 'pglite', dataDir: './.data/db' }],
    ['pglite:///var/lib/dbos', { kind: 'pglite', dataDir: '/var/lib/dbos' }],
  ])('%s', (url, target) => {
    expect(parseDatabaseUrl(url)).toEqual(target);
  });

  it.each(['mysql://h/db', 'neon+http://', 'neon+ws://u@/db', 'neon+ws://h/db?ws_secure=maybe', 'sqlite:x'])(
    'refuses %s, naming the field',
    (url) => {
      const err = (() => {
        try {
          parseDatabaseUrl(url);
        } catch (e) {
          return e;
        }
      })() as ValidationError;
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.issues[0]?.field).toBe('systemDatabaseUrl');
    },
  );
});

describe('a client configured by URL', () => {
  let db: Awaited<ReturnType<typeof createDbosDatabase>>;
  let endpoint: NeonHttpEndpoint;
  let proxy: WsProxy;

  beforeAll(async () => {
    db = await createDbosDatabase('edge_connect');
    endpoint = await startNeonHttpEndpoint();
    proxy = await startWsProxy();
  });

  afterAll(async () => {
    await endpoint?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('neon+http:// goes through the Neon HTTP endpoint', async () => {
    const base = new URL(endpoint.connectionString(db.name));
    const url = `neon+http://${base.username}@${base.host}${base.pathname}?fetch_endpoint=${encodeURIComponent(endpoint.url)}`;
    const client = new DBOSClient({ systemDatabaseUrl: url });
    const before = endpoint.requests.length;
    const h = await client.enqueue({ queueName: 'q', workflowName: 'via-http' }, 1);
    expect(endpoint.requests.length - before).toBe(2); // schema detection + the enqueue
    expect(endpoint.requests.at(-1)?.database).toBe(db.name);
    const [row] = await db.sql`SELECT name FROM dbos.workflow_status WHERE workflow_uuid = ${h.workflowID}`;
    expect(row?.name).toBe('via-http');
    await client.destroy();
  });

  it('neon+ws:// goes through the WebSocket proxy (on Node 20, with the ws package loaded by itself)', async () => {
    const base = new URL(db.url);
    const url = `neon+ws://${base.username}@${base.host}${base.pathname}?ws_proxy=${encodeURIComponent(proxy.address)}&ws_secure=false`;
    const client = new DBOSClient({ systemDatabaseUrl: url });
    const before = proxy.connections();
    const h = await client.enqueue({ queueName: 'q', workflowName: 'via-ws' }, 1);
    expect(proxy.connections()).toBeGreaterThan(before);
    const [row] = await db.sql`SELECT name FROM dbos.workflow_status WHERE workflow_uuid = ${h.workflowID}`;
    expect(row?.name).toBe('via-ws');
    await client.destroy();
    await expect.poll(() => proxy.open(), { timeout: 5000 }).toBe(0); // the pool closed its connections
  });

  it('pglite:// opens a persisted embedded database with the DBOS schema, and keeps it across reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edge-pglite-'));
    try {
      const first = new DBOSClient({
        systemDatabaseUrl: `pglite://${dir}/db`,
        systemDatabaseSchemaName: 'dbos_embedded',
      });
      const h = await first.enqueue({ queueName: 'q', workflowName: 'kept' }, 'x');
      await first.destroy();
      const driver = await openDatabase(`pglite://${dir}/db`, { schema: 'dbos_embedded' });
      const rows = await driver.query(
        'SELECT name, inputs FROM dbos_embedded.workflow_status WHERE workflow_uuid = $1',
        [h.workflowID],
      );
      expect(rows).toEqual([{ name: 'kept', inputs: '{"positionalArgs":["x"]}' }]);
      await driver.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
