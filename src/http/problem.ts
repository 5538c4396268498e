/**
 * Errors as RFC 9457 problem details (`application/problem+json`). One table maps each error `code` to its
 * status; anything not in it is a 500 whose body says only that it failed and which request it was, never a
 * stack, a SQL statement or a database message.
 */
import type { DBOSEdgeError, DriverError, ErrorCode, ValidationIssue } from '../errors.ts';
import { isRetryableState } from '../sql-state.ts';
import { jsonText } from './json.ts';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  /** A URI naming the kind of problem (`urn:dbos-edge:problem:<kind>`). */
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request path. */
  instance?: string;
  /** The request's ID, as logged and echoed in `X-Request-Id`. */
  requestId?: string;
  /** Validation failures: each field (dotted path, prefixed by `path`, `query`, `body` or `header`) and rule. */
  errors?: readonly ValidationIssue[];
}

/**
 * Status and title of each `DBOSEdgeError` code: null for those the service never answers with on purpose (a
 * driver failure is classified below; the rest are a 500 that says nothing about why).
 */
const BY_CODE: Record<ErrorCode, { status: number; title: string; kind: string; expose: boolean } | null> = {
  VALIDATION: { status: 400, title: 'Invalid request', kind: 'validation', expose: true },
  NON_EXISTENT_WORKFLOW: { status: 404, title: 'Workflow not found', kind: 'not-found', expose: true },
  NON_EXISTENT_SCHEDULE: { status: 404, title: 'Schedule not found', kind: 'not-found', expose: true },
  QUEUE_DEDUPLICATED: { status: 409, title: 'Deduplicated', kind: 'conflict', expose: true },
  CONFLICTING_WORKFLOW: { status: 409, title: 'Workflow ID in use', kind: 'conflict', expose: true },
  CONFLICTING_SCHEDULE: { status: 409, title: 'Schedule name in use', kind: 'conflict', expose: true },
  NON_EXISTENT_QUEUE: { status: 404, title: 'Queue not found', kind: 'not-found', expose: true },
  CONFLICTING_OWNER: { status: 409, title: 'Owned by another application', kind: 'conflict', expose: true },
  INVALID_WORKFLOW_TRANSITION: { status: 409, title: 'Not in a state that allows it', kind: 'conflict', expose: true },
  NON_EXISTENT_VERSION: { status: 404, title: 'Application version not found', kind: 'not-found', expose: true },
  SERIALIZATION: { status: 422, title: 'Unserializable value', kind: 'serialization', expose: true },
  ENQUEUE_CONTENDED: { status: 503, title: 'Contended, try again', kind: 'unavailable', expose: true },
  CLIENT_DESTROYED: { status: 503, title: 'Shutting down', kind: 'unavailable', expose: false },
  SCHEMA: { status: 503, title: 'System database not ready', kind: 'unavailable', expose: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', kind: 'too-large', expose: true },
  OVERLOADED: { status: 503, title: 'Too many waits', kind: 'unavailable', expose: true },
  DRIVER: null,
  CONFIG: null,
  AWAITED_WORKFLOW_CANCELLED: null,
  AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED: null,
  WORKFLOW_ERROR: null,
  UNKNOWN_STATUS: null,
  CORRUPT_ROW: null,
  WAIT_TIMEOUT: null,
  STREAM_TIMEOUT: null,
  TRANSACTION_ABORTED: null,
};

export function problem(status: number, kind: string, title: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:dbos-edge:problem:${kind}`, title, status, ...extra };
}

/** Seconds a client is told to wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 1;

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  // Every 503 is temporary (the database unreachable or restarting, contention, shutdown): say when to come back.
  const retry: Record<string, string> = p.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  return new Response(jsonText(p), {
    status: p.status,
    headers: { 'content-type': PROBLEM_TYPE, ...retry, ...headers },
  });
}

/** A validation problem from issues (the shape `ValidationError` carries). */
export function validationProblem(issues: readonly ValidationIssue[]): Problem {
  return problem(400, 'validation', 'Invalid request', {
    detail: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    errors: issues,
  });
}

/**
 * Maps a thrown error to its problem. `DBOSEdgeError`s in the table keep their message (it names IDs the caller
 * sent, nothing internal); a `DriverError` is a 503 when the database could not be reached or may succeed on a
 * retry (SQLSTATE classes 08 and 53, 57P01-57P03, 40001, 40P01: see `sql-state.ts`), a 400 when
 * Postgres refused a value as data (SQLSTATE class 22, e.g. a NUL character in a text field), and otherwise a 500.
 */
export function problemFromError(error: unknown): { problem: Problem; internal: boolean } {
  const e = error as Partial<DBOSEdgeError> & Partial<DriverError>;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    if (e.code === 'VALIDATION' && Array.isArray((e as { issues?: unknown }).issues)) {
      return { problem: validationProblem((e as { issues: ValidationIssue[] }).issues), internal: false };
    }
    // Own keys only: a code such as `constructor` or `toString` must not find a prototype member.
    const known = Object.hasOwn(BY_CODE, e.code) ? BY_CODE[e.code as ErrorCode] : undefined;
    if (known) {
      return {
        problem: problem(known.status, known.kind, known.title, known.expose ? { detail: String(e.message) } : {}),
        internal: !known.expose,
      };
    }
    if (e.code === 'DRIVER') {
      if (e.sqlState === undefined || isRetryableState(e.sqlState)) {
        return { problem: problem(503, 'unavailable', 'System database unavailable'), internal: true };
      }
      if (e.sqlState.startsWith('22')) {
        return {
          problem: problem(400, 'validation', 'Invalid request', {
            detail: 'The database refused a value in the request (for example a NUL character in a string)',
          }),
          internal: true,
        };
      }
    }
  }
  return { problem: problem(500, 'internal', 'Internal Server Error'), internal: true };
}
