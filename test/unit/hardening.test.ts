/**
 * Unit-level hardening (issue 14): the batcher settles every caller, whatever its runner does; idempotent message
 * IDs are one-to-one and keep the SDKs' format where that is unambiguous; validation names the rule that failed;
 * string checks (NUL, lone surrogates, UTF-8 size).
 */
import { describe, expect, it } from 'vitest';
import { resolveDriver, systemUrlFromApplicationUrl } from '../../src/connect.ts';
import { EnqueueBatcher } from '../../src/enqueue-batcher.ts';
import { DBOSEdgeError, DriverError } from '../../src/errors.ts';
import { configFromEnv, parseTokens } from '../../src/http/config.ts';
import { createService } from '../../src/http/entry.ts';
import { problemFromError, problemResponse } from '../../src/http/problem.ts';
import { idempotentMessageID } from '../../src/message-id.ts';
import { ClientConfigSchema, EnqueueOptionsSchema, validate } from '../../src/options.ts';
import type { EnqueueOutcomeRow, EnqueueRow } from '../../src/sql/workflows.ts';
import { isStorableJson, isStorableText, MAX_ID_BYTES, utf8Length } from '../../src/text.ts';

const row = (workflowID: string) => ({ workflowID }) as EnqueueRow;
const inserted = (n: number) => ({ n, outcome: 'inserted' }) as EnqueueOutcomeRow;

function issuesOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    return (e as { issues: unknown }).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('the batcher settles every caller', () => {
  it('rejects the callers whose row got no outcome, however short the runner answers', async () => {
    const batcher = new EnqueueBatcher(async () => [inserted(1), undefined]);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => batcher.submit(row(id)));
    await expect(a).resolves.toEqual(inserted(1));
    await expect(b).rejects.toMatchObject({ code: 'CORRUPT_ROW' });
    await expect(c).rejects.toBeInstanceOf(DBOSEdgeError);
  });

  it('a synchronous throw from the runner fails the callers and frees the slot for the next statement', async () => {
    let calls = 0;
    const batcher = new EnqueueBatcher((rows) => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return Promise.resolve(rows.map((_, i) => inserted(i + 1)));
    }, 1);
    await expect(batcher.submit(row('a'))).rejects.toThrow('boom');
    // With one slot, a leaked in-flight count would leave this enqueue pending for ever.
    await expect(batcher.submit(row('b'))).resolves.toEqual(inserted(1));
  });
});

describe('idempotent message IDs', () => {
  it('keep the DBOS SDKs’ `key::destination` for a key without a colon', () => {
    expect(idempotentMessageID('k', 'b::cX')).toBe('k::b::cX');
    expect(idempotentMessageID('2f1c-uuid', 'wf')).toBe('2f1c-uuid::wf');
  });

  it('never give two different (key, destination) pairs the same ID', () => {
    const parts = ['', ':', '::', 'k', 'k:', ':k', 'k::b', 'b::cX', 'cX', 'edge', 'edge:1:k', '1:k', 'k::b::cX'];
    const seen = new Map<string, string>();
    for (const key of parts.filter((p) => p !== '')) {
      for (const destination of parts) {
        const pair = JSON.stringify([key, destination]);
        const id = idempotentMessageID(key, destination);
        expect(seen.get(id) ?? pair).toBe(pair);
        seen.set(id, pair);
      }
    }
  });
});

describe('validation names the rule that failed', () => {
  const base = { queueName: 'q', workflowName: 'w' };
  it.each([
    [{ ...base, workflowID: ' ' }, 'options.workflowID', 'not_blank'],
    [{ ...base, workflowID: 'a\0b' }, 'options.workflowID', 'text'],
    [{ ...base, queueName: 'x\udc00' }, 'options.queueName', 'text'],
    [{ ...base, deduplicationID: 'é'.repeat(MAX_ID_BYTES / 2 + 1) }, 'options.deduplicationID', 'max_bytes'],
    [{ ...base, workflowClassName: 'C\0' }, 'options.workflowClassName', 'text'],
    [{ ...base, authenticatedRoles: ['ok', '\ud800'] }, 'options.authenticatedRoles.1', 'text'],
    [{ ...base, attributes: { k: ['x\0'] } }, 'options.attributes', 'text'],
  ])('%j: %s %s', (options, field, rule) => {
    expect(issuesOf(() => validate(EnqueueOptionsSchema, options, 'options'))).toContainEqual(
      expect.objectContaining({ field, rule }),
    );
  });

  it('a present value of the wrong type is neither "required" nor "unknown_field"', () => {
    const issues = issuesOf(() => validate(ClientConfigSchema, { polling: 5 }, 'config')) as { rule: string }[];
    expect(issues).toEqual([expect.objectContaining({ field: 'config.polling' })]);
    expect(['required', 'unknown_field']).not.toContain(issues[0]?.rule);
  });
});

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, accepts paired ones', () => {
    expect(isStorableText('plain 🙂')).toBe(true);
    expect(isStorableText('a\0')).toBe(false);
    expect(isStorableText('\ud83d')).toBe(false);
    expect(isStorableText('\ude42x')).toBe(false);
    expect(isStorableJson({ a: [{ b: 'ok' }], 'k\0': 1 })).toBe(false);
    expect(isStorableJson({ a: [{ b: 'ok' }] })).toBe(true);
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aé€🙂')).toBe(1 + 2 + 3 + 4);
  });
});

describe('availability errors', () => {
  it.each(['08006', '08001', '53300', '57P01', '57P02', '57P03', '40001', '40P01'])(
    'SQLSTATE %s is retryable, and a 503 with Retry-After over HTTP',
    async (sqlState) => {
      const error = new DriverError('gone', { sqlState });
      expect(error.retryable).toBe(true);
      const { problem } = problemFromError(error);
      expect(problem.status).toBe(503);
      expect(problemResponse(problem).headers.get('retry-after')).toBe('1');
    },
  );

  it.each(['22021', '23505', '42P01', '57014'])('SQLSTATE %s is not retryable', (sqlState) => {
    expect(new DriverError('no', { sqlState }).retryable).toBe(false);
    expect(problemFromError(new DriverError('no', { sqlState })).problem.status).not.toBe(503);
  });

  it('an error code naming a prototype member is a plain 500', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(problemFromError({ code, message: 'x' }).problem.status).toBe(500);
    }
  });
});

describe('database URLs name the field at fault', () => {
  it('a database name that is not valid percent-encoding is a ValidationError, not a URIError', () => {
    expect(issuesOf(() => systemUrlFromApplicationUrl('postgres://h/%E0%A4%A'))).toEqual([
      expect.objectContaining({ field: 'applicationDatabaseUrl', rule: 'url' }),
    ]);
  });

  it('an application URL of an unsupported scheme names applicationDatabaseUrl', () => {
    expect(issuesOf(() => resolveDriver({ applicationDatabaseUrl: 'mysql://h/db' }))).toEqual([
      expect.objectContaining({ field: 'applicationDatabaseUrl', rule: 'url' }),
    ]);
  });
});

describe('start-up configuration', () => {
  it.each(['Read:0123456789abcdef0', 'ro:0123456789abcdef0', 'FULL:0123456789abcdef0'])(
    'refuses the token %s, whose scope is unknown, instead of granting it full scope',
    (entry) => {
      expect(issuesOf(() => parseTokens(`full:0123456789abcdefX,${entry}`))).toEqual([
        expect.objectContaining({ field: 'DBOS_EDGE_API_TOKENS[1]', rule: 'scope' }),
      ]);
    },
  );

  it('names the environment variable of a bad limit or webhook, not the option', () => {
    expect(issuesOf(() => configFromEnv({ DBOS_EDGE_MAX_BODY_BYTES: '0' }))).toEqual([
      expect.objectContaining({ field: 'DBOS_EDGE_MAX_BODY_BYTES' }),
    ]);
    expect(issuesOf(() => configFromEnv({ DBOS_EDGE_MAX_WAIT_MS: '999999999' }))).toEqual([
      expect.objectContaining({ field: 'DBOS_EDGE_MAX_WAIT_MS' }),
    ]);
    const hooks = JSON.stringify({ gh: { verify: 'github', secret: 's', send: {}, toleranceSeconds: 0 } });
    expect(issuesOf(() => configFromEnv({ DBOS_EDGE_WEBHOOKS: hooks }))).toContainEqual(
      expect.objectContaining({ field: 'DBOS_EDGE_WEBHOOKS.gh.toleranceSeconds' }),
    );
  });
});

describe('open mode', () => {
  const open = { DBOS_EDGE_INSECURE_DEV: '1', DBOS_SYSTEM_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' };

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com'])('refuses HOST=%s', (host) => {
    expect(issuesOf(() => configFromEnv({ ...open, HOST: host }))).toEqual([
      expect.objectContaining({ field: 'HOST', rule: 'loopback' }),
    ]);
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])('serves on HOST=%s', (host) => {
    expect(configFromEnv({ ...open, HOST: host }).app.insecureDev).toBe(true);
  });

  it('needs DBOS_EDGE_INSECURE_DEV_PUBLIC=1 on a Worker and on Deno Deploy', async () => {
    for (const options of [{ mode: 'per-request' as const }, { mode: 'shared' as const, public: true }]) {
      await expect(createService({ env: open, logger: false, ...options })).rejects.toMatchObject({
        issues: [expect.objectContaining({ field: 'DBOS_EDGE_INSECURE_DEV_PUBLIC' })],
      });
      const service = await createService({
        env: { ...open, DBOS_EDGE_INSECURE_DEV_PUBLIC: '1' },
        logger: false,
        ...options,
      });
      await service.close();
    }
  });
});

describe('transport failures', () => {
  it('a Node system error whose code looks like a SQLSTATE (EPIPE) is a retryable transport failure', () => {
    for (const epipe of [
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }),
      Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }),
    ]) {
      const error = DriverError.from(epipe);
      expect(error.sqlState).toBeUndefined();
      expect(error.retryable).toBe(true);
      expect(problemFromError(error).problem.status).toBe(503);
    }
    expect(DriverError.from(Object.assign(new Error('x'), { code: '57P01' })).sqlState).toBe('57P01');
    for (const sqlState of ['XX000', '3D000', '0A000', '2BP01', '42P01']) {
      expect(DriverError.from(Object.assign(new Error('x'), { code: sqlState })).sqlState).toBe(sqlState);
    }
  });
});
