/**
 * Property test over every route of the app (issue 14): random path parameters (NUL, lone surrogates, invalid
 * percent-encoding, kilobytes of text), random query parameters and random bodies, with a full-scope token, never get
 * a 5xx other than a 503 (which only an outage may cause, and none is injected here: so none at all). Every refusal
 * is a 4xx problem.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../../src/http/index.ts';
import { FULL, GITHUB_SECRET, type Harness, httpHarness, WHSEC } from '../http/helpers.ts';

let h: Harness;

beforeAll(async () => {
  h = await httpHarness('edge_hard_fuzz', {
    webhooks: {
      orders: { verify: 'standard-webhooks', secret: WHSEC, enqueue: { queueName: 'q', workflowName: 'on_order' } },
      gh: { verify: 'github', secret: GITHUB_SECRET, send: { workflowID: 'x' } },
    },
  });
  await h.workflow('PENDING');
});
afterAll(() => h?.close());

/** Text that is hard on a URL, a header or a database: encoded as a path segment or query value. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00b', '%', '%ED%A0%80', '%00', '..', '', ' ', 'x'.repeat(3000), '🙂'),
  fc.string({ maxLength: 10 }),
);

/** A path segment or query value for any string: lone surrogates and raw escapes kept as they are. */
function encode(text: string): string {
  if (/^%[0-9A-F]{2}/.test(text)) return text;
  let out = '';
  for (const ch of text) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      out += '%ED%A0%80'; // a lone surrogate has no UTF-8 form: send the bytes a careless encoder would
    }
  }
  return out;
}

/** Near-valid bodies whose strings are nasty: they pass the shape checks and must still never reach SQL as-is. */
const nastyStrings = fc.oneof(
  fc.record(
    {
      options: fc.record(
        {
          queueName: fc.oneof(fc.constant('q'), nasty),
          workflowName: fc.oneof(fc.constant('w'), nasty),
          workflowID: nasty,
          deduplicationID: nasty,
          queuePartitionKey: nasty,
          authenticatedUser: nasty,
          attributes: fc.dictionary(nasty, nasty, { maxKeys: 2 }),
        },
        { requiredKeys: ['queueName', 'workflowName'] },
      ),
    },
    { requiredKeys: ['options'] },
  ),
  fc.record({ message: fc.jsonValue(), topic: nasty, idempotencyKey: nasty }, { requiredKeys: ['message'] }),
  fc.record({ scheduleName: nasty, workflowName: nasty, schedule: fc.constant('* * * * *'), cronTimezone: nasty }),
);

const bodies = fc.oneof(
  fc.constant(undefined),
  nastyStrings.map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.record({ options: fc.dictionary(fc.string(), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
);

describe('every route, random input', () => {
  it('never answers a 5xx', async () => {
    const routes = routeTable(h.app);
    expect(routes.length).toBeGreaterThan(25);
    const failures: string[] = [];
    for (const r of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(nasty, { minLength: 3, maxLength: 3 }),
          fc.dictionary(fc.constantFrom('limit', 'offset', 'timeoutMs', 'status', 'cursor', 'startAfter', 'x'), nasty, {
            maxKeys: 3,
          }),
          bodies,
          async (segments, query, body) => {
            let k = 0;
            const path = r.path.replace(/\{[^}]+\}/g, () => encode(segments[k++ % 3] as string));
            const qs = Object.entries(query)
              .map(([name, value]) => `${name}=${encode(value)}`)
              .join('&');
            const res = await h.app.request(`${path}${qs ? `?${qs}` : ''}`, {
              method: r.method.toUpperCase(),
              headers: { authorization: `Bearer ${FULL}`, 'content-type': 'application/json' },
              ...(body === undefined || r.method === 'get' ? {} : { body }),
            });
            await res.arrayBuffer();
            if (res.status >= 500) failures.push(`${r.method} ${path}?${qs} → ${res.status}`);
          },
        ),
        { numRuns: 40 },
      );
    }
    expect(failures).toEqual([]);
    expect(
      h.logs.filter(
        (l) => (l as { status?: number }).status !== undefined && Number((l as { status?: number }).status) >= 500,
      ),
    ).toEqual([]);
  });
});
