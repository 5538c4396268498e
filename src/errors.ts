/**
 * Typed errors. Every error dbos-edge throws is a `DBOSEdgeError` with a stable `code`; the DBOS-named ones
 * keep the names and meanings of `@dbos-inc/dbos-sdk` (Python names beside each) so callers can match either.
 */
import { isRetryableState } from './sql-state.ts';

/** Every `code` a `DBOSEdgeError` can carry: a closed set, so a caller (and the HTTP status table) can be exhaustive. */
export type ErrorCode =
  | 'VALIDATION'
  | 'DRIVER'
  | 'SCHEMA'
  | 'CONFIG'
  | 'CLIENT_DESTROYED'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUEUE_DEDUPLICATED'
  | 'NON_EXISTENT_WORKFLOW'
  | 'CONFLICTING_WORKFLOW'
  | 'ENQUEUE_CONTENDED'
  | 'AWAITED_WORKFLOW_CANCELLED'
  | 'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED'
  | 'WORKFLOW_ERROR'
  | 'UNKNOWN_STATUS'
  | 'CORRUPT_ROW'
  | 'WAIT_TIMEOUT'
  | 'STREAM_TIMEOUT'
  | 'SERIALIZATION'
  | 'NON_EXISTENT_SCHEDULE'
  | 'CONFLICTING_SCHEDULE'
  | 'OVERLOADED';

export class DBOSEdgeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `options.priority`. */
  readonly field: string;
  /** The rule that failed, e.g. `integer`, `min_value`, `required`. */
  readonly rule: string;
  readonly message: string;
}

/** Bad input, rejected before any SQL runs. */
export class ValidationError extends DBOSEdgeError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    super('VALIDATION', issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

/**
 * A SQLSTATE: a class Postgres defines (a digit and a digit or capital, as in 57 or 3D; or F0, HV, P0, XX) and three more characters. A Node error's
 * `code` such as `EPIPE` has five capitals too, but it is a transport failure, not the database's answer.
 */
const SQLSTATE = /^(?:[0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/** A failure reported by the database or the transport, normalised by the adapter. */
export class DriverError extends DBOSEdgeError {
  /** SQLSTATE, when the database answered; undefined for transport failures. */
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
  constructor(
    message: string,
    fields: {
      sqlState?: string | undefined;
      constraint?: string | undefined;
      detail?: string | undefined;
      cause?: unknown;
    },
  ) {
    super('DRIVER', message, { cause: fields.cause });
    this.sqlState = fields.sqlState;
    this.constraint = fields.constraint;
    this.detail = fields.detail;
    this.retryable = fields.sqlState === undefined || isRetryableState(fields.sqlState);
  }

  /**
   * Trying again later can succeed: the database could not be reached (no SQLSTATE), lost the connection (class
   * 08), ran out of resources (53), is shutting down or restarting (57P01-57P03), or the transaction lost a race
   * (40001, 40P01). Over HTTP these are a 503 with `Retry-After`.
   */
  readonly retryable: boolean;

  /**
   * Wraps what a driver threw: a Postgres error (node-postgres, postgres.js, Neon and PGlite all carry `code`,
   * `detail` and `constraint` or `constraint_name`) keeps its SQLSTATE; anything else is a transport failure.
   */
  static from(e: unknown, message?: string): DriverError {
    if (e instanceof DriverError) return e;
    const err = e as {
      code?: unknown;
      constraint?: unknown;
      constraint_name?: unknown;
      detail?: unknown;
      message?: unknown;
    };
    const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
    const code = text(err?.code);
    return new DriverError(message ?? text(err?.message) ?? String(e), {
      sqlState: code && SQLSTATE.test(code) ? code : undefined,
      constraint: text(err?.constraint) ?? text(err?.constraint_name),
      detail: text(err?.detail),
      cause: e,
    });
  }
}

/** The system database lacks the DBOS schema, or has one older than dbos-edge supports. */
export class SchemaError extends DBOSEdgeError {
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** TS `DBOSQueueDuplicatedError` (Python `DBOSQueueDeduplicatedError`): the queue already holds an active workflow with this deduplication ID. */
export class DBOSQueueDuplicatedError extends DBOSEdgeError {
  constructor(
    readonly workflowID: string,
    readonly queueName: string,
    readonly deduplicationID: string,
  ) {
    super(
      'QUEUE_DEDUPLICATED',
      `Workflow ${workflowID} was deduplicated due to an existing workflow in queue ${queueName} with deduplication ID ${deduplicationID}.`,
    );
  }
}

/** TS and Python `DBOSNonExistentWorkflowError`. */
export class DBOSNonExistentWorkflowError extends DBOSEdgeError {
  constructor(readonly workflowID: string) {
    super('NON_EXISTENT_WORKFLOW', `Workflow ${workflowID} does not exist`);
  }
}

/** TS and Python `DBOSAwaitedWorkflowCancelledError`: the awaited workflow was cancelled (or timed out). */
export class DBOSAwaitedWorkflowCancelledError extends DBOSEdgeError {
  constructor(readonly workflowID: string) {
    super('AWAITED_WORKFLOW_CANCELLED', `Awaited workflow ${workflowID} was cancelled`);
  }
}

/** TS `DBOSAwaitedWorkflowExceededMaxRecoveryAttempts` (Python `DBOSAwaitedWorkflowMaxRecoveryAttemptsExceeded`). */
export class DBOSAwaitedWorkflowExceededMaxRecoveryAttempts extends DBOSEdgeError {
  constructor(readonly workflowID: string) {
    super(
      'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED',
      `Awaited workflow ${workflowID} exceeded its maximum recovery attempts and was moved to the dead-letter status`,
    );
  }
}

/**
 * TS `DBOSWorkflowIDInUseError` (Python `DBOSConflictingWorkflowError`): the workflow ID is taken by a different
 * workflow (another name, class or instance), or by any enqueue when `workflowIDReusePolicy` is `reject`.
 */
export class DBOSConflictingWorkflowError extends DBOSEdgeError {
  constructor(
    readonly workflowID: string,
    reason: string,
  ) {
    super('CONFLICTING_WORKFLOW', `Workflow ID ${workflowID} is already in use: ${reason}`);
  }
}

/** TS and Python `DBOSStreamTimeoutError`: no stream value arrived within the timeout. */
export class DBOSStreamTimeoutError extends DBOSEdgeError {
  constructor(
    readonly workflowID: string,
    readonly key: string,
    readonly offset: number,
  ) {
    super('STREAM_TIMEOUT', `Timed out waiting for stream ${key} of workflow ${workflowID} at offset ${offset}`);
  }
}

/** A `getResult({ timeoutMs })` or `waitFirst` that ran out of time; the workflow itself keeps going. */
export class DBOSWaitTimeoutError extends DBOSEdgeError {
  constructor(
    readonly workflowIDs: readonly string[],
    readonly timeoutMs: number,
  ) {
    super('WAIT_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for workflow ${workflowIDs.join(', ')}`);
  }
}

/** A stored value in a format this runtime cannot read (e.g. Python pickle), or a custom serializer not configured. */
export class DBOSSerializationError extends DBOSEdgeError {
  constructor(
    readonly serialization: string,
    message: string,
  ) {
    super('SERIALIZATION', message);
  }
}

/**
 * The workflow's own failure, rebuilt from the stored error: its `name`, `message`, and the rest of what was
 * recorded (`code`, `data`, the worker-side `stack`) so callers can branch on it. Python and TS portable errors
 * carry `{ name, message, code, data }`; TS native errors carry the `serialize-error` record.
 */
export class DBOSWorkflowError extends DBOSEdgeError {
  /** The error's `code` as the workflow set it (portable errors always have the key; null when absent). */
  readonly errorCode: unknown;
  readonly data: unknown;
  readonly workflowStack: string | undefined;
  constructor(
    readonly workflowID: string,
    record: { name?: unknown; message?: unknown; code?: unknown; data?: unknown; stack?: unknown },
  ) {
    super('WORKFLOW_ERROR', typeof record.message === 'string' ? record.message : String(record.message ?? ''));
    this.name = typeof record.name === 'string' && record.name ? record.name : 'Error';
    this.errorCode = record.code ?? null;
    this.data = record.data;
    this.workflowStack = typeof record.stack === 'string' ? record.stack : undefined;
  }
}

/** A schedule name that does not exist (pause, resume, update, trigger, backfill). */
export class DBOSNonExistentScheduleError extends DBOSEdgeError {
  constructor(readonly scheduleName: string) {
    super('NON_EXISTENT_SCHEDULE', `Schedule ${scheduleName} does not exist`);
  }
}

/** `createSchedule` with a name that is taken (schedule names are unique across the system database). */
export class DBOSConflictingScheduleError extends DBOSEdgeError {
  constructor(readonly scheduleName: string) {
    super('CONFLICTING_SCHEDULE', `A schedule named ${scheduleName} already exists`);
  }
}

/** A call on a client after `destroy()`, or a wait that `destroy()` ended. */
export function clientDestroyed(): DBOSEdgeError {
  return new DBOSEdgeError('CLIENT_DESTROYED', 'The client has been destroyed');
}
