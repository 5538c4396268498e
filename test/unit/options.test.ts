import { describe, expect, it } from 'vitest';
import { EnqueueOptionsSchema, ListWorkflowsSchema, validate } from '../../src/options.ts';
import { issuesOf } from '../helpers/validation.ts';

describe('enqueue options', () => {
  const base = { queueName: 'q', workflowName: 'w' };

  it('accepts every documented field', () => {
    const full = {
      ...base,
      workflowClassName: 'C',
      workflowConfigName: 'i',
      workflowID: 'id',
      workflowIDReusePolicy: 'reject',
      appVersion: 'v1',
      workflowTimeoutMS: 1000,
      deduplicationID: 'd',
      duplicationPolicy: 'return-existing',
      priority: 5,
      queuePartitionKey: 'p',
      delaySeconds: 1.5,
      attributes: { a: 1 },
      authenticatedUser: 'u',
      authenticatedRoles: ['r'],
      applicationName: 'app',
      serializationType: 'native',
    };
    expect(validate(EnqueueOptionsSchema, full, 'options')).toEqual(full);
  });

  it.each([
    [{ ...base, workflowID: '  ' }, 'options.workflowID', 'not_blank'],
    [{ ...base, queueName: '' }, 'options.queueName', 'not_blank'],
    [{ workflowName: 'w' }, 'options.queueName', 'required'],
    [{ ...base, priority: -1 }, 'options.priority', 'min_value'],
    [{ ...base, priority: 2 ** 31 }, 'options.priority', 'max_value'],
    [{ ...base, priority: 1.5 }, 'options.priority', 'integer'],
    [{ ...base, workflowTimeoutMS: 0 }, 'options.workflowTimeoutMS', 'min_value'],
    [{ ...base, delaySeconds: -1 }, 'options.delaySeconds', 'min_value'],
    [{ ...base, queueNmae: 'typo' }, 'options.queueNmae', 'unknown_field'],
    [{ ...base, maxRecoveryAttempts: 3 }, 'options.maxRecoveryAttempts', 'unsupported'],
    [{ ...base, serializationType: 'pickle' }, 'options.serializationType', 'picklist'],
  ])('rejects %j naming the field and rule', (input, field, rule) => {
    const issues = issuesOf(() => validate(EnqueueOptionsSchema, input, 'options'));
    expect(issues).toContainEqual(expect.objectContaining({ field, rule }));
  });

  it('says the options must be an object when they are not', () => {
    expect(issuesOf(() => validate(EnqueueOptionsSchema, 'q', 'options'))).toEqual([
      expect.objectContaining({ field: 'options', rule: 'strict_object' }),
    ]);
  });

  it('explains maxRecoveryAttempts rather than ignoring it', () => {
    const [issue] = issuesOf(() => validate(EnqueueOptionsSchema, { ...base, maxRecoveryAttempts: 3 }, 'options'));
    expect(issue?.message).toMatch(/where the worker registers the workflow/);
  });
});

describe('list filters', () => {
  it('accepts single values, lists, and instants in three forms', () => {
    const input = {
      status: ['SUCCESS', 'ERROR'],
      workflowName: 'w',
      startTime: '2026-01-01T00:00:00Z',
      endTime: new Date(),
      completedAfter: 1_700_000_000_000,
    };
    expect(validate(ListWorkflowsSchema, input, 'input')).toEqual(input);
  });

  it('rejects an unknown status, a bad date and a zero limit', () => {
    const issues = issuesOf(() =>
      validate(ListWorkflowsSchema, { status: 'DONE', startTime: 'yesterday', limit: 0 }, 'input'),
    );
    expect(issues.map((i) => i.field)).toEqual(['input.status', 'input.startTime', 'input.limit']);
  });
});
