/**
 * Enqueue and send inside a transaction the caller owns (the outbox pattern: TS `enqueueInTransaction`,
 * `enqueuePortableInTransaction`, `sendInTransaction`; Python `enqueue_in_transaction`, `send_in_transaction`). The
 * write commits or rolls back with the caller's own rows, and nothing is visible before COMMIT. The statements are
 * those of the plain calls, built for the client's system database and run on the caller's connection; none of them
 * raises on a taken ID, a held deduplication ID or a missing destination, so a typed error never aborts the caller's
 * transaction. For a driver without interactive transactions (Neon HTTP), `prepare…` hands out the statement itself.
 */
import { type Communication, validateSend } from './communication.ts';
import type { Row, Statement } from './driver.ts';
import { contended, type Enqueuer, type Prepared } from './enqueue.ts';
import {
  DBOSTransactionAbortedError,
  DriverError,
  missingDestination,
  SchemaError,
  ValidationError,
} from './errors.ts';
import type { EnqueueOptions, SendOptions } from './options.ts';
import type { ClientScope } from './scope.ts';
import type { SqlContext } from './sql/base.ts';
import { type MissingDestinationRow, sendCheckedStatement } from './sql/messages.ts';
import { type EnqueueOutcomeRow, enqueueStatement } from './sql/workflows.ts';

/** Attempts of an enqueue whose conflicting row was committed by another transaction after the statement began. */
const ATTEMPTS = 5;

/** A node-postgres `Client` or `PoolClient` in an open transaction, or anything with the same `query`. */
export interface PgTransactionClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/** The transaction a postgres.js `sql.begin(tx => …)` passes to its callback. */
export interface PostgresJsTransaction {
  unsafe(text: string, parameters?: never[]): PromiseLike<readonly Row[]>;
  savepoint: unknown;
}

/** The caller's connection in an open transaction on the DBOS system database. */
export type CallerTransaction = PgTransactionClient | PostgresJsTransaction;

/**
 * One write as data, for the caller's own `sql.transaction([...])` (Neon HTTP): run `text` with `params` in the
 * transaction, then give its rows to `settle`, which returns the result or throws the typed error.
 */
export interface PreparedWrite<T> extends Statement {
  settle(rows: readonly Row[]): T;
}

const RETURN_EXISTING_MESSAGE = "`duplicationPolicy: 'return-existing'` is not supported in a caller-owned transaction";

export class Outbox {
  readonly #scope: ClientScope;
  readonly #enqueuer: Enqueuer;
  readonly #communication: Communication;

  constructor(scope: ClientScope, enqueuer: Enqueuer, communication: Communication) {
    this.#scope = scope;
    this.#enqueuer = enqueuer;
    this.#communication = communication;
  }

  /** Enqueues on the caller's transaction; resolves with the ID of the workflow the caller holds once it commits. */
  async enqueue(
    transaction: CallerTransaction,
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<string> {
    const run = runner(transaction);
    const { prepared, ctx } = await this.#prepareEnqueue(options, args, namedArgs);
    const statement = enqueueStatement(ctx, [prepared.row]);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const [outcome] = await run(statement, ctx);
      const id = this.#enqueuer.settle(prepared, outcome as EnqueueOutcomeRow);
      if (id !== undefined) return id;
    }
    throw contended(prepared.row.workflowID);
  }

  /** The enqueue statement for the caller's own transaction; `settle` gives the workflow ID or the typed error. */
  async prepareEnqueue(
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<PreparedWrite<string>> {
    const { prepared, ctx } = await this.#prepareEnqueue(options, args, namedArgs);
    return {
      ...enqueueStatement(ctx, [prepared.row]),
      settle: (rows) => {
        const id = this.#enqueuer.settle(prepared, rows[0] as EnqueueOutcomeRow);
        if (id === undefined) throw contended(prepared.row.workflowID);
        return id;
      },
    };
  }

  /** Sends on the caller's transaction: the destination receives the message once the transaction commits. */
  async send(
    transaction: CallerTransaction,
    destinationID: string,
    message: unknown,
    topic: string | undefined,
    idempotencyKey: string | undefined,
    options: SendOptions | undefined,
  ): Promise<void> {
    const run = runner(transaction);
    const write = await this.prepareSend(destinationID, message, topic, idempotencyKey, options);
    const { ctx } = await this.#scope.connect();
    write.settle(await run(write, ctx));
  }

  /** The send statement for the caller's own transaction; `settle` throws if the destination does not exist. */
  async prepareSend(
    destinationID: string,
    message: unknown,
    topic: string | undefined,
    idempotencyKey: string | undefined,
    options: SendOptions | undefined,
  ): Promise<PreparedWrite<void>> {
    const outgoing = await this.#communication.outgoing(
      validateSend(destinationID, message, topic, idempotencyKey, options),
      '',
    );
    const { ctx } = await this.#scope.connect();
    return {
      ...sendCheckedStatement(ctx, [outgoing]),
      settle: (rows) => {
        const [missing] = rows as MissingDestinationRow[];
        if (missing) throw missingDestination(missing.destination_uuid);
      },
    };
  }

  async #prepareEnqueue(
    options: EnqueueOptions,
    args: readonly unknown[],
    namedArgs: Record<string, unknown> | undefined,
  ): Promise<{ prepared: Prepared; ctx: SqlContext }> {
    if (options?.duplicationPolicy === 'return-existing') {
      throw new ValidationError([
        { field: 'options.duplicationPolicy', rule: 'transaction', message: RETURN_EXISTING_MESSAGE },
      ]);
    }
    const prepared = await this.#enqueuer.prepare(options, args, namedArgs, '');
    // The statement is built for the client's own system database, which the caller's transaction must be on.
    const { ctx } = await this.#scope.connect();
    return { prepared, ctx };
  }
}

/** Runs a statement on the caller's transaction, with its failures as typed errors. */
function runner(transaction: CallerTransaction): (statement: Statement, ctx: SqlContext) => Promise<readonly Row[]> {
  const tx = transaction as Partial<PostgresJsTransaction & PgTransactionClient> & { begin?: unknown };
  let send: (statement: Statement) => Promise<readonly Row[]>;
  if (typeof tx?.unsafe === 'function') {
    // postgres.js: the root `sql` has `begin` (and would autocommit); a transaction has `savepoint` instead.
    if (typeof tx.savepoint !== 'function') {
      throw new ValidationError([
        {
          field: 'transaction',
          rule: 'transaction',
          message: 'must be the transaction sql.begin(tx => …) passes, not the sql instance itself',
        },
      ]);
    }
    const unsafe = tx.unsafe.bind(tx);
    send = async (s) => unsafe(s.text, s.params as never[]);
  } else if (typeof tx?.query === 'function') {
    const query = tx.query.bind(tx);
    send = async (s) => (await query(s.text, [...s.params])).rows;
  } else {
    throw new ValidationError([
      {
        field: 'transaction',
        rule: 'transaction',
        message: 'must be a pg client in an open transaction, or the transaction of postgres.js sql.begin',
      },
    ]);
  }
  return async (statement, ctx) => {
    try {
      return await send(statement);
    } catch (e) {
      throw transactionError(e, ctx);
    }
  };
}

/** What a failure on the caller's transaction means: aborted before us, no DBOS schema there, or the driver's error. */
function transactionError(e: unknown, ctx: SqlContext): Error {
  const error = DriverError.from(e);
  if (error.sqlState === '25P02') return new DBOSTransactionAbortedError({ cause: e });
  if (error.sqlState === '42P01' || error.sqlState === '3F000' || error.sqlState === '42703') {
    return new SchemaError(
      `The transaction's database has no DBOS system schema ${ctx.schema} at the client's version (${error.message}); run it on the system database the client uses`,
    );
  }
  return error;
}
