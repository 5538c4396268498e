/**
 * Transport and credential faults: each gives a typed error (ValidationError before any I/O for a bad URL,
 * DriverError otherwise, with the SQLSTATE when Postgres answered) and leaves nothing half-written.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { neonHttpDriver } from '../../../adapters/neon-http.ts';
import { neonWsDriver } from '../../../adapters/neon-ws.ts';
import { pgliteDriver } from '../../../adapters/pglite.ts';
import { postgresDriver } from '../../../adapters/postgres.ts';
import { DBOSClient, DriverError, ValidationError } from '../../../src/index.ts';
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from '../../fixtures/neon-http-endpoint.ts';
import { startWsProxy, type WsProxy } from '../../fixtures/ws-proxy.ts';
import { createDbosDatabase, databaseUrl } from '../../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let endpoint: NeonHttpEndpoint;
let proxy: WsProxy;

beforeAll(async () => {
  db = await createDbosDatabase('edge_faults');
  sql = db.sql;
  endpoint = await startNeonHttpEndpoint();
  proxy = await startWsProxy();
});

afterAll(async () => {
  await endpoint?.close();
  await proxy?.close();
  await db?.drop();
});

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const rowsFor = async (...ids: string[]) =>
  (await sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid IN ${sql(ids)}`).length;
const insert = (id: string) => ({ text: 'INSERT INTO dbos.workflow_status (workflow_uuid) VALUES ($1)', params: [id] });

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Neon HTTP', () => {
  it('turns an HTTP 500 into a DriverError, and the enqueue writes nothing', async () => {
    const driver = neonHttpDriver(endpoint.connectionString(db.name), { fetchEndpoint: endpoint.url });
    const client = new DBOSClient({ driver });
    await client.listWorkflows({ limit: 1 }); // connect first, so the fault hits the enqueue itself
    const id = uid('http500');
    endpoint.inject({ kind: 'status', status: 500, body: 'upstream unavailable' });
    const err = await client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id }).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBeUndefined();
    expect(err.message).toMatch(/HTTP status 500.*upstream unavailable/);
    expect(await rowsFor(id)).toBe(0);
    // The next request goes through: the driver keeps no broken state.
    await client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id });
    expect(await rowsFor(id)).toBe(1);
    await client.destroy();
    await driver.close();
  });

  it('rolls back a batch whose connection drops in the middle', async () => {
    const driver = neonHttpDriver(endpoint.connectionString(db.name), { fetchEndpoint: endpoint.url });
    const [a, b] = [uid('drop'), uid('drop')];
    endpoint.inject({ kind: 'drop', afterStatements: 1 });
    const err = await driver.batch([insert(a), insert(b)]).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBeUndefined();
    expect(err.message).toMatch(/Error connecting to database/);
    expect(await rowsFor(a, b)).toBe(0);
    await driver.close();
  });

  it('rejects a bad URL before any I/O, and reports an unreachable endpoint as a DriverError', async () => {
    for (const url of [
      'neon+http://',
      'neon+http://user@/db',
      'neon+http://h/db?fetch_endpoint=ftp://x',
      'neon+tcp://h/db',
    ]) {
      expect(() => new DBOSClient({ systemDatabaseUrl: url }), url).toThrow(ValidationError);
    }
    const driver = neonHttpDriver(endpoint.connectionString(db.name), {
      fetchEndpoint: `http://127.0.0.1:${await closedPort()}/sql`,
    });
    const err = await driver.query('SELECT 1').catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBeUndefined();
    expect(err.message).toMatch(/Error connecting to database/);
    await driver.close();
    await expect(driver.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('reports rejected credentials with their SQLSTATE and writes nothing', async () => {
    const guarded = await startNeonHttpEndpoint({ password: 'right' });
    try {
      const good = guarded.connectionString(db.name);
      const wrong = good.replace(':right@', ':wrong@');
      const id = uid('auth');
      const client = new DBOSClient({ driver: neonHttpDriver(wrong, { fetchEndpoint: guarded.url }) });
      const err = await client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id }).catch((e) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect(err).toMatchObject({ sqlState: '28P01', message: 'password authentication failed for user "postgres"' });
      await client.destroy();
      // A role Postgres does not know: Postgres itself refuses it.
      const nobody = neonHttpDriver(guarded.connectionString(db.name, 'no_such_role'), { fetchEndpoint: guarded.url });
      await expect(nobody.query('SELECT 1')).rejects.toMatchObject({ sqlState: '28000' });
      expect(await rowsFor(id)).toBe(0);
      // The right password works, so the refusals above were about the credentials.
      const ok = neonHttpDriver(good, { fetchEndpoint: guarded.url });
      expect(await ok.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await guarded.close();
    }
  });
});

describe('Neon WebSocket', () => {
  const open = (url = db.url) =>
    neonWsDriver(url, { wsProxy: proxy.address, useSecureWebSocket: false, webSocketConstructor: WebSocket });

  it('rolls back a batch whose connection drops in the middle, then recovers', async () => {
    const driver = open();
    const id = uid('wsdrop');
    const batch = driver.batch([insert(id), { text: 'SELECT pg_sleep(2)', params: [] }]).catch((e) => e);
    await new Promise((r) => setTimeout(r, 500));
    proxy.dropAll();
    const err = await batch;
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBeUndefined();
    // The backend rolls back when it notices the client is gone; the row is never visible.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await rowsFor(id)).toBe(0);
    expect(await driver.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
    await driver.close();
  });

  it('serves many waiters through one shared listening connection', async () => {
    const driver = neonWsDriver(db.url, {
      max: 2,
      wsProxy: proxy.address,
      useSecureWebSocket: false,
      webSocketConstructor: WebSocket,
    });
    const slow = { minIntervalMs: 20_000, maxIntervalMs: 20_000, listeningIntervalMs: 20_000 };
    const client = new DBOSClient({ driver, polling: slow });
    const id = uid('waiters');
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name) VALUES (${id}, 'PENDING', 'w')`;
    const opened = proxy.connections();
    const waits = Array.from({ length: 300 }, (_, i) => client.getEvent(id, `k${i % 5}`, { timeoutMs: 15_000 }));
    await new Promise((r) => setTimeout(r, 500));
    // The pool (at most 2) plus one listening connection, however many waiters.
    expect(proxy.connections() - opened).toBeLessThanOrEqual(3);
    const listening = await sql`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = ${db.name} AND query ILIKE 'LISTEN%'`;
    expect(listening[0]?.n).toBe(1);
    await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
      SELECT ${id}, 'k' || i, i::text, 'portable_json' FROM generate_series(0, 4) i`;
    for (let i = 0; i < 5; i++) await sql`SELECT pg_notify('dbos_workflow_events_channel', ${`${id}::k${i}`})`;
    expect(await Promise.all(waits)).toEqual(Array.from({ length: 300 }, (_, i) => i % 5));
    await client.destroy();
    await driver.close();
  });

  it('re-subscribes LISTEN after the listening connection drops', async () => {
    const driver = open();
    const got: string[] = [];
    const unlisten = await driver.listen?.('edge_fault_chan', (p) => got.push(p));
    proxy.dropAll();
    // Notifications sent while it reconnects may be missed (the client's poll covers that); later ones arrive.
    await expect
      .poll(
        async () => {
          await sql`SELECT pg_notify('edge_fault_chan', 'after-drop')`;
          return got.includes('after-drop');
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    await unlisten?.();
    await driver.close();
  });

  it('reports an unreachable proxy and an unknown role as DriverErrors', async () => {
    const unreachable = neonWsDriver(db.url, {
      wsProxy: `127.0.0.1:${await closedPort()}/v2`,
      useSecureWebSocket: false,
      webSocketConstructor: WebSocket,
      connectTimeoutMs: 5_000,
    });
    const err = await unreachable.query('SELECT 1').catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBeUndefined();
    await unreachable.close();
    const nobody = open(databaseUrl(db.name).replace('//postgres@', '//no_such_role@'));
    await expect(nobody.query('SELECT 1')).rejects.toMatchObject({ sqlState: '28000' });
    await nobody.close();
  });
});

describe('postgres.js', () => {
  it('reports an unknown role with its SQLSTATE', async () => {
    const nobody = postgresDriver(databaseUrl(db.name).replace('//postgres@', '//no_such_role@'));
    const err = await nobody.query('SELECT 1').catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.sqlState).toBe('28000');
    await nobody.close();
  });
});

describe('PGlite', () => {
  it('reports a data directory it cannot use as a DriverError, and refuses queries once closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edge-pglite-'));
    try {
      const file = join(dir, 'not-a-dir');
      await writeFile(file, 'x');
      const err = await pgliteDriver({ dataDir: file }).catch((e) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect(err.message).toMatch(/Could not open the PGlite database in .*not-a-dir: ENOTDIR/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const driver = await pgliteDriver();
    await driver.close();
    await expect(driver.query('SELECT 1')).rejects.toBeInstanceOf(DriverError);
  });
});
