/**
 * Errors as problem+json: the status, kind and title of each error code, which messages reach the caller, and the
 * response that carries them. Every error is a real one from src/errors.ts, built the way the client throws it.
 */
import { describe, expect, it } from 'vitest';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSConflictingOwnerError,
  DBOSConflictingScheduleError,
  DBOSConflictingWorkflowError,
  DBOSEdgeError,
  DBOSNonExistentApplicationVersionError,
  DBOSNonExistentQueueError,
  DBOSNonExistentScheduleError,
  DBOSNonExistentWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSSerializationError,
  DBOSStreamTimeoutError,
  DBOSTransactionAbortedError,
  DBOSWaitTimeoutError,
  DBOSWorkflowError,
  DriverError,
  SchemaError,
  ValidationError,
} from '../../src/errors.ts';
import {
  PROBLEM_TYPE,
  type Problem,
  problem,
  problemFromError,
  problemResponse,
  validationProblem,
} from '../../src/http/problem.ts';

const INTERNAL = { type: 'urn:dbos-edge:problem:internal', title: 'Internal Server Error', status: 500 };

describe('problem', () => {
  it('names the kind in a dbos-edge URN and adds the extra members', () => {
    expect(problem(404, 'not-found', 'Not Found')).toEqual({
      type: 'urn:dbos-edge:problem:not-found',
      title: 'Not Found',
      status: 404,
    });
    expect(
      problem(401, 'unauthorized', 'Invalid token', { detail: 'why', instance: '/v1/x', requestId: 'r1' }),
    ).toEqual({
      type: 'urn:dbos-edge:problem:unauthorized',
      title: 'Invalid token',
      status: 401,
      detail: 'why',
      instance: '/v1/x',
      requestId: 'r1',
    });
  });
});

describe('validationProblem', () => {
  it('is a 400 listing every issue, with a detail joining them', () => {
    const issues = [
      { field: 'body.options.queueName', rule: 'required', message: 'is required' },
      { field: 'query.limit', rule: 'max_value', message: 'must be at most 1000' },
    ];
    expect(validationProblem(issues)).toEqual({
      type: 'urn:dbos-edge:problem:validation',
      title: 'Invalid request',
      status: 400,
      detail: 'body.options.queueName: is required; query.limit: must be at most 1000',
      errors: issues,
    });
  });
});

describe('problemFromError: the codes the service answers on purpose', () => {
  it('turns a ValidationError into a validation problem carrying its issues', () => {
    const issues = [{ field: 'options.priority', rule: 'min_value', message: 'must be at least 0' }];
    expect(problemFromError(new ValidationError(issues))).toEqual({
      problem: {
        type: 'urn:dbos-edge:problem:validation',
        title: 'Invalid request',
        status: 400,
        detail: 'options.priority: must be at least 0',
        errors: issues,
      },
      internal: false,
    });
  });

  it.each<[string, DBOSEdgeError, number, string, string]>([
    ['VALIDATION without issues', new DBOSEdgeError('VALIDATION', 'bad input'), 400, 'validation', 'Invalid request'],
    ['NON_EXISTENT_WORKFLOW', new DBOSNonExistentWorkflowError('wf-1'), 404, 'not-found', 'Workflow not found'],
    ['NON_EXISTENT_SCHEDULE', new DBOSNonExistentScheduleError('nightly'), 404, 'not-found', 'Schedule not found'],
    ['QUEUE_DEDUPLICATED', new DBOSQueueDuplicatedError('wf-1', 'q', 'd-1'), 409, 'conflict', 'Deduplicated'],
    [
      'CONFLICTING_WORKFLOW',
      new DBOSConflictingWorkflowError('wf-1', 'it runs another workflow'),
      409,
      'conflict',
      'Workflow ID in use',
    ],
    ['CONFLICTING_SCHEDULE', new DBOSConflictingScheduleError('nightly'), 409, 'conflict', 'Schedule name in use'],
    ['NON_EXISTENT_QUEUE', new DBOSNonExistentQueueError('orders'), 404, 'not-found', 'Queue not found'],
    [
      'NON_EXISTENT_VERSION',
      new DBOSNonExistentApplicationVersionError('v9'),
      404,
      'not-found',
      'Application version not found',
    ],
    [
      'CONFLICTING_OWNER',
      new DBOSConflictingOwnerError('Queue', 'orders', 'shop', 'billing'),
      409,
      'conflict',
      'Owned by another application',
    ],
    [
      'SERIALIZATION',
      new DBOSSerializationError('py_pickle', 'Python pickle cannot be read here'),
      422,
      'serialization',
      'Unserializable value',
    ],
    [
      'ENQUEUE_CONTENDED',
      new DBOSEdgeError('ENQUEUE_CONTENDED', 'Enqueue of wf-1 kept racing a concurrent writer; try again'),
      503,
      'unavailable',
      'Contended, try again',
    ],
  ])('%s: its status, title and own message', (_code, error, status, kind, title) => {
    expect(problemFromError(error)).toEqual({
      problem: { type: `urn:dbos-edge:problem:${kind}`, title, status, detail: error.message },
      internal: false,
    });
  });

  it.each<[string, DBOSEdgeError, string]>([
    ['CLIENT_DESTROYED', new DBOSEdgeError('CLIENT_DESTROYED', 'The client has been destroyed'), 'Shutting down'],
    [
      'SCHEMA',
      new SchemaError('The system database has DBOS schema version 1; dbos-edge needs 2'),
      'System database not ready',
    ],
  ])('%s: a 503 that keeps its message internal', (_code, error, title) => {
    expect(problemFromError(error)).toEqual({
      problem: { type: 'urn:dbos-edge:problem:unavailable', title, status: 503 },
      internal: true,
    });
  });
});

describe('problemFromError: driver failures', () => {
  it('is a 503 when the database could not be reached (no SQLSTATE)', () => {
    const error = DriverError.from(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(problemFromError(error)).toEqual({
      problem: { type: 'urn:dbos-edge:problem:unavailable', title: 'System database unavailable', status: 503 },
      internal: true,
    });
  });

  it.each(['22P05', '22021', '22001'])(
    'is a 400 with a fixed detail when Postgres refused a value (SQLSTATE %s)',
    (sqlState) => {
      const error = new DriverError('invalid byte sequence for encoding "UTF8": 0x00', { sqlState });
      expect(problemFromError(error)).toEqual({
        problem: {
          type: 'urn:dbos-edge:problem:validation',
          title: 'Invalid request',
          status: 400,
          detail: 'The database refused a value in the request (for example a NUL character in a string)',
        },
        internal: true,
      });
    },
  );

  it.each(['23505', '42P01', '57014'])('is a 500 that says nothing of SQLSTATE %s', (sqlState) => {
    const error = new DriverError('duplicate key value violates unique constraint "workflow_status_pkey"', {
      sqlState,
      constraint: 'workflow_status_pkey',
    });
    expect(problemFromError(error)).toEqual({ problem: INTERNAL, internal: true });
  });
});

describe('problemFromError: everything else is a 500 that exposes nothing', () => {
  it.each<[string, unknown]>([
    ['AWAITED_WORKFLOW_CANCELLED', new DBOSAwaitedWorkflowCancelledError('wf-1')],
    ['AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED', new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts('wf-1')],
    ['STREAM_TIMEOUT', new DBOSStreamTimeoutError('wf-1', 'key', 3)],
    ['TRANSACTION_ABORTED', new DBOSTransactionAbortedError()],
    ['WAIT_TIMEOUT', new DBOSWaitTimeoutError(['wf-1'], 1000)],
    ['WORKFLOW_ERROR', new DBOSWorkflowError('wf-1', { name: 'TypeError', message: 'secret internals' })],
    ['a plain Error', new Error('SELECT * FROM dbos.workflow_status failed')],
    ['an error with a code of its own', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an error with a numeric code', Object.assign(new Error('x'), { code: 404 })],
    ['a thrown string', 'NON_EXISTENT_WORKFLOW'],
    ['null', null],
    ['undefined', undefined],
  ])('%s', (_label, error) => {
    expect(problemFromError(error)).toEqual({ problem: INTERNAL, internal: true });
  });
});

describe('problemResponse', () => {
  const notFound: Problem = problem(404, 'not-found', 'Workflow not found', {
    detail: 'Workflow wf-1 does not exist',
    instance: '/v1/workflows/wf-1',
    requestId: 'req-1',
  });

  it('sends the problem as application/problem+json with its status', async () => {
    const response = problemResponse(notFound);
    expect(PROBLEM_TYPE).toBe('application/problem+json');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.text()).toBe(
      '{"type":"urn:dbos-edge:problem:not-found","title":"Workflow not found","status":404,' +
        '"detail":"Workflow wf-1 does not exist","instance":"/v1/workflows/wf-1","requestId":"req-1"}',
    );
  });

  it('adds the headers it is given', async () => {
    const response = problemResponse(problem(401, 'unauthorized', 'Invalid token'), {
      'www-authenticate': 'Bearer error="invalid_token"',
      'x-request-id': 'req-2',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(response.headers.get('x-request-id')).toBe('req-2');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'urn:dbos-edge:problem:unauthorized',
      title: 'Invalid token',
      status: 401,
    });
  });
});
