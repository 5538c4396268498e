/**
 * `npm run dev`: the HTTP service on the embedded PGlite database, with that database also served over the Postgres
 * wire protocol on a local port (`@electric-sql/pglite-socket`), so a real DBOS worker (TypeScript or Python) can
 * connect to it and run what the service enqueues: a finished workflow with nothing else to install.
 *
 * The service itself reaches the database through the same port, like the worker does. Limits of PGlite's socket
 * server: transactions from different connections run one at a time, and NOTIFY does not cross connections, so
 * waits on events and streams fall back to polling.
 * A `DBOS_SYSTEM_DATABASE_URL` (or `DATABASE_URL`) skips all this and serves that database as `npm start` does.
 *
 * `DBOS_EDGE_DATA_DIR` (default `.data/pglite`) is the folder; `DBOS_EDGE_DEV_PG_PORT` (default 5433) the port.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { DEFAULT_DATA_DIR, openEmbedded } from '../src/connect.ts';
import { lockDataDir } from './data-lock.ts';
import { serveOverSocket } from './dev-socket.ts';
import { serveOnNode } from './serve-node.ts';

/** Enough for a DBOS worker's pool, the service's pool and its LISTEN connection. */
const MAX_CONNECTIONS = 100;

const env = { ...process.env };
if (env.DBOS_SYSTEM_DATABASE_URL || env.DATABASE_URL) {
  await serveOnNode(env);
} else {
  const dataDir = env.DBOS_EDGE_DATA_DIR || DEFAULT_DATA_DIR;
  const port = Number(env.DBOS_EDGE_DEV_PG_PORT || 5433);
  mkdirSync(dataDir, { recursive: true });
  lockDataDir(dataDir);
  const db = await PGlite.create({ dataDir });
  await openEmbedded(db, env.DBOS_SYSTEM_SCHEMA ? { schema: env.DBOS_SYSTEM_SCHEMA } : {});
  const socket = await serveOverSocket(db, port, MAX_CONNECTIONS);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  console.log(`dbos-edge dev: embedded PGlite in ${dataDir}, served at ${url}`);
  console.log(`dbos-edge dev: start a DBOS worker with DBOS_SYSTEM_DATABASE_URL=${url}`);
  env.DBOS_SYSTEM_DATABASE_URL = url;
  await serveOnNode(env, {
    afterClose: async () => {
      await socket.stop();
      await db.close();
    },
  });
}
