/**
 * Property test: random bodies (random JSON, near-valid options with random field values, random bytes) thrown at
 * the enqueue, send, sendMany and schedule routes never get a 5xx: bad input is a 4xx problem, good input works.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL, type Harness, httpHarness } from './helpers.ts';

let h: Harness;
let target: string;
beforeAll(async () => {
  h = await httpHarness('edge_http_fuzz');
  target = await h.workflow('PENDING');
});
afterAll(() => h?.close());

const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, '', ' ', '\u0000', '\ud800', -1, 2 ** 31, 1e308, [], {}),
);
const field = (keys: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), anyValue, { maxKeys: keys.length + 2 });

const enqueueKeys = [
  'queueName',
  'workflowName',
  'workflowClassName',
  'workflowConfigName',
  'workflowID',
  'workflowIDReusePolicy',
  'appVersion',
  'workflowTimeoutMS',
  'deduplicationID',
  'duplicationPolicy',
  'priority',
  'queuePartitionKey',
  'delaySeconds',
  'attributes',
  'authenticatedUser',
  'authenticatedRoles',
  'applicationName',
  'serializationType',
];
const scheduleKeys = [
  'scheduleName',
  'workflowName',
  'workflowClassName',
  'schedule',
  'context',
  'automaticBackfill',
  'cronTimezone',
  'queueName',
  'options',
  'applicationName',
  'serializationType',
];

const bodyFor = (inner: fc.Arbitrary<unknown>) =>
  fc.oneof(
    inner.map((b) => JSON.stringify(b)),
    fc.jsonValue().map((b) => JSON.stringify(b)),
    fc.string({ unit: 'binary' }),
  );

const seen = new Set<number>();

async function post(method: string, path: string, body: string) {
  const r = await h.app.request(path, {
    method,
    headers: { authorization: `Bearer ${FULL}`, 'content-type': 'application/json' },
    body,
  });
  if (r.status >= 500) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()} for ${body}`);
  await r.arrayBuffer();
  seen.add(Math.floor(r.status / 100));
  return r.status;
}

describe('random bodies never get a 5xx', () => {
  it('POST /v1/workflows', async () => {
    const options = field(enqueueKeys);
    const valid = fc.record({ queueName: fc.string({ minLength: 1 }), workflowName: fc.string({ minLength: 1 }) });
    await fc.assert(
      fc.asyncProperty(
        bodyFor(
          fc.record(
            {
              options: fc.oneof(
                options,
                valid.chain((v) => options.map((o) => ({ ...v, ...o }))),
              ),
              args: anyValue,
              namedArgs: anyValue,
            },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          await post('POST', '/v1/workflows', body);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('POST /v1/workflows/{id}/messages and /v1/messages', async () => {
    const message = fc.record(
      {
        message: anyValue,
        topic: anyValue,
        idempotencyKey: anyValue,
        serializationType: anyValue,
        destinationID: anyValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(bodyFor(message), fc.boolean(), async (body, many) => {
        if (many) {
          const inner = body.startsWith('{') ? `{"messages":[${body}]}` : body;
          await post('POST', '/v1/messages', inner);
        } else {
          await post('POST', `/v1/workflows/${target}/messages`, body);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('POST, PUT and PATCH /v1/schedules, and the schedule actions', async () => {
    const schedule = field(scheduleKeys);
    const valid = fc.record({
      scheduleName: fc.string({ minLength: 1 }),
      workflowName: fc.string({ minLength: 1 }),
      schedule: fc.oneof(
        fc.constantFrom('* * * * *', '@daily', '0 0 31 2 *', '*/0 * * * *', '60 * * * *'),
        fc.string(),
      ),
    });
    const body = bodyFor(
      fc.oneof(
        schedule,
        valid.chain((v) => schedule.map((o) => ({ ...v, ...o }))),
        valid,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('create', 'apply', 'update', 'backfill', 'tick', 'trigger'),
        async (b, op) => {
          if (op === 'create') await post('POST', '/v1/schedules', b);
          if (op === 'apply') await post('PUT', '/v1/schedules', b.startsWith('{') ? `{"schedules":[${b}]}` : b);
          if (op === 'update') await post('PATCH', '/v1/schedules/fuzz', b);
          if (op === 'backfill') await post('POST', '/v1/schedules/fuzz/backfill', b);
          if (op === 'tick') await post('POST', '/v1/schedules/tick', b);
          if (op === 'trigger') await post('POST', '/v1/schedules/fuzz/trigger', b);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reached both outcomes: some bodies were accepted (2xx), others refused (4xx)', () => {
    expect([...seen].sort()).toEqual([2, 4]);
  });
});
