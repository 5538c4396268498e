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
  | 'NON_EXISTENT_QUEUE'
  | 'CONFLICTING_OWNER'
  | 'NON_EXISTENT_VERSION'
  | 'TRANSACTION_ABORTED'
  | 'INVALID_WORKFLOW_TRANSITION'
  | 'OVERLOADED';

export class DBOSEdgeError extends Error {
  // Each class spells its name out: a bundler that minifies without keeping names (wrangler.toml's
  // `keep_names = false`, most app bundlers) would otherwise turn `new.target.name` into a mangled identifier.
  override name = 'DBOSEdgeError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
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
  override name = 'ValidationError';
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
  override name = 'DriverError';
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
  override name = 'SchemaError';
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** TS `DBOSQueueDuplicatedError` (Python `DBOSQueueDeduplicatedError`): the queue already holds an active workflow with this deduplication ID. */
export class DBOSQueueDuplicatedError extends DBOSEdgeError {
  override name = 'DBOSQueueDuplicatedError';
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

/** TS and Python `DBOSNonExistentWorkflowError`; `message` where the TS SDK words it otherwise (a send). */
export class DBOSNonExistentWorkflowError extends DBOSEdgeError {
  override name = 'DBOSNonExistentWorkflowError';
  constructor(
    readonly workflowID: string,
    message = `Workflow ${workflowID} does not exist`,
  ) {
    super('NON_EXISTENT_WORKFLOW', message);
  }
}

/** A send to a workflow that does not exist, in the TS SDK's words. */
export function missingDestination(destinationID: string): DBOSNonExistentWorkflowError {
  return new DBOSNonExistentWorkflowError(
    destinationID,
    `Sent to non-existent destination workflow UUID: ${destinationID}`,
  );
}

/** TS and Python `DBOSAwaitedWorkflowCancelledError`: the awaited workflow was cancelled (or timed out). The SDK's text. */
export class DBOSAwaitedWorkflowCancelledError extends DBOSEdgeError {
  override name = 'DBOSAwaitedWorkflowCancelledError';
  constructor(readonly workflowID: string) {
    super('AWAITED_WORKFLOW_CANCELLED', `Awaited ${workflowID} was cancelled`);
  }
}

/** TS `DBOSAwaitedWorkflowExceededMaxRecoveryAttempts` (Python `DBOSAwaitedWorkflowMaxRecoveryAttemptsExceeded`). */
export class DBOSAwaitedWorkflowExceededMaxRecoveryAttempts extends DBOSEdgeError {
  override name = 'DBOSAwaitedWorkflowExceededMaxRecoveryAttempts';
  constructor(readonly workflowID: string) {
    super(
      'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED',
      `Awaited ${workflowID} exceeded its maximum recovery attempts`,
    );
  }
}

/**
 * TS `DBOSWorkflowIDInUseError` (Python `DBOSConflictingWorkflowError`): the workflow ID is taken by a different
 * workflow (another name, class or instance), or by any enqueue when `workflowIDReusePolicy` is `reject`.
 */
export class DBOSConflictingWorkflowError extends DBOSEdgeError {
  override name = 'DBOSConflictingWorkflowError';
  constructor(
    readonly workflowID: string,
    reason: string,
  ) {
    super('CONFLICTING_WORKFLOW', `Conflicting workflow invocation with the same ID (${workflowID}): ${reason}`);
  }
}

/**
 * TS and Python `DBOSStreamTimeoutError`, with the TS SDK's message: no stream value arrived within `timeoutMS`, or
 * (no `timeoutMS`) the stream ended before the offset was reached, so none ever will.
 */
export class DBOSStreamTimeoutError extends DBOSEdgeError {
  override name = 'DBOSStreamTimeoutError';
  constructor(
    readonly workflowID: string,
    readonly key: string,
    readonly offset: number,
    readonly timeoutMS?: number,
  ) {
    super(
      'STREAM_TIMEOUT',
      `No value arrived on stream ${key} of workflow ${workflowID}${timeoutMS !== undefined ? ` within ${timeoutMS}ms` : ''}`,
    );
  }
}

/** A `getResult({ timeoutMs })` or `waitFirst` that ran out of time; the workflow itself keeps going. */
export class DBOSWaitTimeoutError extends DBOSEdgeError {
  override name = 'DBOSWaitTimeoutError';
  constructor(
    readonly workflowIDs: readonly string[],
    readonly timeoutMs: number,
  ) {
    super('WAIT_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for workflow ${workflowIDs.join(', ')}`);
  }
}

/** A stored value in a format this runtime cannot read (e.g. Python pickle), or a custom serializer not configured. */
export class DBOSSerializationError extends DBOSEdgeError {
  override name = 'DBOSSerializationError';
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
  override name = 'DBOSWorkflowError';
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
  override name = 'DBOSNonExistentScheduleError';
  constructor(readonly scheduleName: string) {
    super('NON_EXISTENT_SCHEDULE', `Schedule ${scheduleName} does not exist`);
  }
}

/** `createSchedule` with a name that is taken (schedule names are unique across the system database). */
export class DBOSConflictingScheduleError extends DBOSEdgeError {
  override name = 'DBOSConflictingScheduleError';
  constructor(readonly scheduleName: string) {
    super('CONFLICTING_SCHEDULE', `A schedule named ${scheduleName} already exists`);
  }
}

/** TS `DBOSInvalidWorkflowTransitionError`: the workflow's status does not allow the change (rewinding one still running). */
export class DBOSInvalidWorkflowTransitionError extends DBOSEdgeError {
  override name = 'DBOSInvalidWorkflowTransitionError';
  constructor(
    readonly workflowID: string,
    message: string,
  ) {
    super('INVALID_WORKFLOW_TRANSITION', message);
  }
}

/** A queue name with no row in the `queues` table (a setter or getter of a deleted queue), in the TS SDK's words. */
export class DBOSNonExistentQueueError extends DBOSEdgeError {
  override name = 'DBOSNonExistentQueueError';
  constructor(readonly queueName: string) {
    super('NON_EXISTENT_QUEUE', `Queue '${queueName}' was not found in the database.`);
  }
}

/**
 * A queue or application version registered by another application: their names are unique across a system
 * database, so one application cannot take another's. The TS SDK's message; `kind` is `Queue` or `Application version`.
 */
export class DBOSConflictingOwnerError extends DBOSEdgeError {
  override name = 'DBOSConflictingOwnerError';
  constructor(
    readonly kind: 'Queue' | 'Application version',
    readonly entityName: string,
    readonly owner: string,
    readonly applicationName: string,
  ) {
    const takeANewName =
      kind === 'Application version'
        ? `set a distinct applicationVersion for '${applicationName}'`
        : `give '${applicationName}' a different ${kind.toLowerCase()} name`;
    super(
      'CONFLICTING_OWNER',
      `${kind} '${entityName}' is already registered by application '${owner}' in this system database. ` +
        `${kind} names must be unique across applications sharing a system database. ` +
        `Either ${takeANewName}, or, if '${owner}' was renamed to '${applicationName}', ` +
        're-own its rows first with dbos rename-application',
    );
  }
}

/** `getLatestApplicationVersion` with none registered, or `setLatestApplicationVersion` of an unknown name. */
export class DBOSNonExistentApplicationVersionError extends DBOSEdgeError {
  override name = 'DBOSNonExistentApplicationVersionError';
  constructor(readonly versionName?: string) {
    super(
      'NON_EXISTENT_VERSION',
      versionName === undefined
        ? 'No application versions found'
        : `Application version '${versionName}' does not exist`,
    );
  }
}

/**
 * A transactional enqueue or send on a caller's transaction that Postgres has already aborted (an earlier statement
 * in it failed): nothing more can be written in it, so roll it back and retry the whole transaction.
 */
export class DBOSTransactionAbortedError extends DBOSEdgeError {
  override name = 'DBOSTransactionAbortedError';
  constructor(options?: { cause?: unknown }) {
    super(
      'TRANSACTION_ABORTED',
      'The caller-owned transaction is aborted (an earlier statement in it failed); roll it back and retry it',
      options,
    );
  }
}

/** A call on a client after `destroy()`, or a wait that `destroy()` ended. */
export function clientDestroyed(): DBOSEdgeError {
  return new DBOSEdgeError('CLIENT_DESTROYED', 'The client has been destroyed');
}

/**
 * PGlite and Neon's driver are optional peer dependencies: an app installs the one it uses, and their adapters load
 * them on first use. This is the error for one that could not be loaded: it names the package and what needed it.
 */
export function missingPackageError(packageName: string, usedFor: string, cause: unknown): DBOSEdgeError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (!message.includes(packageName)) {
    return new DBOSEdgeError('CONFIG', `Could not load ${packageName} for ${usedFor}: ${message}`, { cause });
  }
  return new DBOSEdgeError(
    'CONFIG',
    `${usedFor} needs the optional package ${packageName}, which is not installed: npm install ${packageName}`,
    { cause },
  );
}
