/**
 * Serves an embedded PGlite database over the Postgres wire protocol on a local port, for `npm run dev`.
 *
 * `@electric-sql/pglite-socket` (pinned: 0.2.17) queues each protocol message of each connection on its own. One
 * PGlite is one Postgres session, so when two connections send extended-protocol queries at once, a Parse/Bind of
 * one can land between the Bind and Execute of the other, and the unnamed statement or portal is gone ("portal
 * does not exist"). Here the messages of an extended query are held back until the message that ends it (Sync,
 * Flush, or anything else) and queued as one unit, which PGlite runs in one go.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Parse, Bind, Describe, Execute, Close: the messages an extended query is made of, before its Sync. */
const HELD_BACK = new Set(['P', 'B', 'D', 'E', 'C'].map((c) => c.charCodeAt(0)));

type Enqueue = (handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void) => Promise<number>;

export async function serveOverSocket(db: PGlite, port: number, maxConnections: number): Promise<PGLiteSocketServer> {
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections });
  // The queue shared by every connection: a private field of this pinned version.
  const queue = (server as unknown as { queryQueue: { enqueue: Enqueue } }).queryQueue;
  const enqueue = queue.enqueue.bind(queue);
  const pending = new Map<number, Uint8Array[]>();
  queue.enqueue = (handlerId, message, onData) => {
    const held = pending.get(handlerId) ?? [];
    if (HELD_BACK.has(message[0] as number)) {
      pending.set(handlerId, [...held, message]);
      return Promise.resolve(0);
    }
    pending.delete(handlerId);
    return enqueue(handlerId, held.length === 0 ? message : concat([...held, message]), onData);
  };
  await server.start();
  return server;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
