/**
 * Enqueue and send in a transaction the caller owns (the outbox pattern), on real Postgres: a `pg` client, a
 * postgres.js `sql.begin` transaction, and the prepared statements in a Neon HTTP `sql.transaction([...])`. Each
 * semantic of issue 13: the caller's rows and the writes commit or roll back together, nothing is visible before
 * COMMIT, a taken ID keeps the first inputs, a deduplication conflict is typed (and leaves the transaction usable),
 * return-existing is refused, and an aborted transaction or a database without the schema is rejected.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import pg from 'pg';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DBOSClient,
  DBOSNonExistentWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSTransactionAbortedError,
  SchemaError,
  ValidationError,
} from '../../src/index.ts';
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from '../fixtures/neon-http-endpoint.ts';
import { createDbosDatabase, createTestDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let client: DBOSClient;

beforeAll(async () => {
  db = await createDbosDatabase('edge_outbox');
  sql = db.sql;
  await sql`CREATE TABLE orders (id text PRIMARY KEY)`;
  client = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'shop' });
});

afterAll(async () => {
  await client?.destroy();
  await db?.drop();
});

const q = { queueName: 'outbox', workflowName: 'fulfil' };

async function order(id: string): Promise<boolean> {
  return (await sql`SELECT 1 FROM orders WHERE id = ${id}`).length === 1;
}

/** The positional arguments a workflow was enqueued with (portable JSON). */
async function inputsOf(workflowID: string): Promise<unknown> {
  const [row] = await sql`SELECT inputs FROM dbos.workflow_status WHERE workflow_uuid = ${workflowID}`;
  return row === undefined ? undefined : JSON.parse(String(row.inputs)).positionalArgs;
}

async function messagesTo(workflowID: string): Promise<unknown[]> {
  const rows =
    await sql`SELECT message FROM dbos.notifications WHERE destination_uuid = ${workflowID} ORDER BY message`;
  return rows.map((row) => JSON.parse(String(row.message)));
}

async function destination(): Promise<string> {
  const id = crypto.randomUUID();
  await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at)
            VALUES (${id}, 'PENDING', 'w', 0, 0)`;
  return id;
}

/** A pg client in a transaction; `end` rolls back whatever is left open and disconnects. */
async function pgTransaction(url = db.url): Promise<pg.Client> {
  const connection = new pg.Client({ connectionString: url });
  await connection.connect();
  await connection.query('BEGIN');
  return connection;
}

describe('a pg client in an open transaction', () => {
  it('commits the enqueue and the send with the caller’s own row, visible to nobody before COMMIT', async () => {
    const to = await destination();
    const tx = await pgTransaction();
    try {
      const workflowID = `pg-commit-${crypto.randomUUID()}`;
      await tx.query('INSERT INTO orders (id) VALUES ($1)', [workflowID]);
      const handle = await client.enqueueInTransaction(tx, { ...q, workflowID }, 'order', 2);
      await client.sendInTransaction(tx, to, { paid: workflowID }, 'payments', 'pay-1');
      expect(handle.workflowID).toBe(workflowID);
      // Inside the transaction the rows are there; outside, neither the client nor another connection sees them.
      expect(
        (await tx.query('SELECT status FROM dbos.workflow_status WHERE workflow_uuid = $1', [workflowID])).rows,
      ).toEqual([{ status: 'ENQUEUED' }]);
      expect(await handle.getStatus()).toBeNull();
      expect(await order(workflowID)).toBe(false);
      expect(await messagesTo(to)).toEqual([]);
      await tx.query('COMMIT');
      expect((await handle.getStatus())?.status).toBe('ENQUEUED');
      expect(await inputsOf(workflowID)).toEqual(['order', 2]);
      expect(await order(workflowID)).toBe(true);
      expect(await messagesTo(to)).toEqual([{ paid: workflowID }]);
    } finally {
      await tx.end();
    }
  });

  it('rolls the enqueue and the send back with the caller’s own row', async () => {
    const to = await destination();
    const workflowID = `pg-rollback-${crypto.randomUUID()}`;
    const tx = await pgTransaction();
    try {
      await tx.query('INSERT INTO orders (id) VALUES ($1)', [workflowID]);
      await client.enqueuePortableInTransaction(tx, { ...q, workflowID }, ['x'], { k: 1 });
      await client.sendInTransaction(tx, to, 'hello');
      await tx.query('ROLLBACK');
    } finally {
      await tx.end();
    }
    expect(await client.getWorkflow(workflowID)).toBeUndefined();
    expect(await order(workflowID)).toBe(false);
    expect(await messagesTo(to)).toEqual([]);
  });

  it('keeps the first inputs when the same workflow ID is enqueued twice, in one transaction or across two', async () => {
    const workflowID = `pg-twice-${crypto.randomUUID()}`;
    const tx = await pgTransaction();
    try {
      await client.enqueueInTransaction(tx, { ...q, workflowID }, 'first');
      const again = await client.enqueueInTransaction(tx, { ...q, workflowID }, 'second');
      expect(again.workflowID).toBe(workflowID);
      await tx.query('COMMIT');
    } finally {
      await tx.end();
    }
    const later = await pgTransaction();
    try {
      await client.enqueueInTransaction(later, { ...q, workflowID }, 'third');
      await later.query('COMMIT');
    } finally {
      await later.end();
    }
    expect(await inputsOf(workflowID)).toEqual(['first']);
  });

  it('throws DBOSQueueDuplicatedError on a held deduplication ID and leaves the transaction usable', async () => {
    const deduplicationID = `dedup-${crypto.randomUUID()}`;
    await client.enqueue({ ...q, deduplicationID });
    const tx = await pgTransaction();
    const mine = `pg-dedup-${crypto.randomUUID()}`;
    try {
      const error = await client.enqueueInTransaction(tx, { ...q, deduplicationID }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DBOSQueueDuplicatedError);
      expect((error as DBOSQueueDuplicatedError).deduplicationID).toBe(deduplicationID);
      await tx.query('INSERT INTO orders (id) VALUES ($1)', [mine]);
      await tx.query('COMMIT');
    } finally {
      await tx.end();
    }
    expect(await order(mine)).toBe(true);
  });

  it("refuses duplicationPolicy 'return-existing' before any write, with a clear message", async () => {
    const tx = await pgTransaction();
    try {
      const error = (await client
        .enqueueInTransaction(tx, { ...q, deduplicationID: 'd', duplicationPolicy: 'return-existing' })
        .catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues).toEqual([
        {
          field: 'options.duplicationPolicy',
          rule: 'transaction',
          message: "`duplicationPolicy: 'return-existing'` is not supported in a caller-owned transaction",
        },
      ]);
      // Nothing was sent on the transaction, so it is still usable.
      expect((await tx.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await tx.end();
    }
  });

  it('throws DBOSNonExistentWorkflowError for a missing destination and leaves the transaction usable', async () => {
    const tx = await pgTransaction();
    const mine = `pg-missing-${crypto.randomUUID()}`;
    try {
      const error = await client.sendInTransaction(tx, 'no-such-workflow', 'm').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DBOSNonExistentWorkflowError);
      await tx.query('INSERT INTO orders (id) VALUES ($1)', [mine]);
      await tx.query('COMMIT');
    } finally {
      await tx.end();
    }
    expect(await order(mine)).toBe(true);
  });

  it('rejects a transaction that is already aborted', async () => {
    const tx = await pgTransaction();
    try {
      await tx.query('SELECT 1/0').catch(() => undefined);
      await expect(client.enqueueInTransaction(tx, q)).rejects.toBeInstanceOf(DBOSTransactionAbortedError);
      await expect(client.sendInTransaction(tx, 'w', 'm')).rejects.toBeInstanceOf(DBOSTransactionAbortedError);
    } finally {
      await tx.end();
    }
  });

  it('rejects a transaction on a database without the DBOS schema', async () => {
    const bare = await createTestDatabase('edge_outbox_bare');
    const tx = await pgTransaction(bare.url);
    try {
      const error = (await client.enqueueInTransaction(tx, q).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SchemaError);
      expect(error.message).toContain('has no DBOS system schema');
    } finally {
      await tx.end();
      await bare.drop();
    }
  });

  it('refuses something that is not a transaction, naming the argument', async () => {
    for (const notATransaction of [undefined, {}, sql]) {
      const error = (await client
        .enqueueInTransaction(notATransaction as never, q)
        .catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((issue) => issue.field)).toEqual(['transaction']);
    }
  });
});

describe('a postgres.js transaction (sql.begin)', () => {
  it('commits with the caller’s row, and rolls back when the callback throws', async () => {
    const to = await destination();
    const committed = `pgjs-commit-${crypto.randomUUID()}`;
    await sql.begin(async (tx) => {
      await tx`INSERT INTO orders (id) VALUES (${committed})`;
      await client.enqueueInTransaction(tx, { ...q, workflowID: committed }, { n: 1 });
      await client.sendInTransaction(tx, to, 'kept');
      expect(await client.getWorkflow(committed)).toBeUndefined();
    });
    expect(await inputsOf(committed)).toEqual([{ n: 1 }]);
    expect(await order(committed)).toBe(true);

    const rolledBack = `pgjs-rollback-${crypto.randomUUID()}`;
    await expect(
      sql.begin(async (tx) => {
        await tx`INSERT INTO orders (id) VALUES (${rolledBack})`;
        await client.enqueueInTransaction(tx, { ...q, workflowID: rolledBack });
        await client.sendInTransaction(tx, to, 'dropped');
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    expect(await client.getWorkflow(rolledBack)).toBeUndefined();
    expect(await order(rolledBack)).toBe(false);
    expect(await messagesTo(to)).toEqual(['kept']);
  });

  it('types a deduplication conflict and an aborted transaction', async () => {
    const deduplicationID = `dedup-${crypto.randomUUID()}`;
    await client.enqueue({ ...q, deduplicationID });
    await sql.begin(async (tx) => {
      await expect(client.enqueueInTransaction(tx, { ...q, deduplicationID })).rejects.toBeInstanceOf(
        DBOSQueueDuplicatedError,
      );
    });
    await expect(
      sql.begin(async (tx) => {
        await tx`SELECT 1/0`.catch(() => undefined);
        await client.enqueueInTransaction(tx, q);
      }),
    ).rejects.toBeInstanceOf(DBOSTransactionAbortedError);
  });
});

describe('prepared statements in a Neon HTTP sql.transaction([...])', () => {
  let endpoint: NeonHttpEndpoint;

  beforeAll(async () => {
    endpoint = await startNeonHttpEndpoint();
    // This file's own process: no other Neon user here to route elsewhere.
    neonConfig.fetchEndpoint = endpoint.url;
  });
  afterAll(() => endpoint?.close());

  const neonSql = () => neon(endpoint.connectionString(db.name));

  it('commits the enqueue and the send with the caller’s row in one HTTP transaction', async () => {
    const to = await destination();
    const workflowID = `neon-${crypto.randomUUID()}`;
    const enqueue = await client.prepareEnqueue({ ...q, workflowID }, 'via neon');
    const send = await client.prepareSend(to, 'neon message');
    const http = neonSql();
    const [, enqueued, sent] = await http.transaction([
      http.query('INSERT INTO orders (id) VALUES ($1)', [workflowID]),
      http.query(enqueue.text, [...enqueue.params]),
      http.query(send.text, [...send.params]),
    ]);
    expect(enqueue.settle(enqueued as never).workflowID).toBe(workflowID);
    send.settle(sent as never);
    expect(await inputsOf(workflowID)).toEqual(['via neon']);
    expect(await order(workflowID)).toBe(true);
    expect(await messagesTo(to)).toEqual(['neon message']);
  });

  it('rolls everything back when one statement of the transaction fails, and settles a dedup conflict typed', async () => {
    const workflowID = `neon-rollback-${crypto.randomUUID()}`;
    const enqueue = await client.prepareEnqueuePortable({ ...q, workflowID }, [1]);
    const http = neonSql();
    await expect(
      http.transaction([
        http.query(enqueue.text, [...enqueue.params]),
        http.query('INSERT INTO orders (id) VALUES ($1), ($1)', [workflowID]),
      ]),
    ).rejects.toThrow();
    expect(await client.getWorkflow(workflowID)).toBeUndefined();

    const deduplicationID = `dedup-${crypto.randomUUID()}`;
    await client.enqueue({ ...q, deduplicationID });
    const held = await client.prepareEnqueue({ ...q, deduplicationID });
    const [rows] = await http.transaction([http.query(held.text, [...held.params])]);
    expect(() => held.settle(rows as never)).toThrow(DBOSQueueDuplicatedError);

    const missing = await client.prepareSend('no-such-workflow', 'm');
    const [none] = await http.transaction([http.query(missing.text, [...missing.params])]);
    expect(() => missing.settle(none as never)).toThrow(DBOSNonExistentWorkflowError);
  });

  it("refuses 'return-existing' when preparing, too", async () => {
    await expect(
      client.prepareEnqueue({ ...q, deduplicationID: 'd', duplicationPolicy: 'return-existing' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
