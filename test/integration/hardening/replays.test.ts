/**
 * Replays do nothing (issue 14, findings 4, 5, 10 and 12a), through the app on a real Postgres:
 * - a captured GitHub body and signature resent under new X-GitHub-Delivery headers starts one workflow, not many;
 * - a send delivery signed for one workflow, replayed to another workflow's path, is refused and writes nothing;
 * - an unknown webhook name gets the very answer a bad signature gets;
 * - a schedule tick's `now` cannot be pushed past the server clock, and an out-of-range date is a 400 (finding 10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationWebhookSecret, signGithubWebhook } from '../../../src/http/index.ts';
import { GITHUB_SECRET, type Harness, httpHarness, postStandardWebhook, WHSEC } from '../http/helpers.ts';

let h: Harness;
const NOW = Date.parse('2026-06-01T12:00:00Z');

beforeAll(async () => {
  h = await httpHarness('edge_hard_hooks', {
    now: () => NOW,
    webhooks: {
      gh: { verify: 'github', secret: GITHUB_SECRET, enqueue: { queueName: 'q', workflowName: 'on_push' } },
      inbox: { verify: 'standard-webhooks', secret: WHSEC, send: { topic: 'in' } },
    },
  });
});
afterAll(() => h?.close());

const standard = (path: string, id: string, body: string, secret: string) =>
  postStandardWebhook(h.app, path, { id, atMs: NOW, body, secret });

describe('webhook replays', () => {
  it('GitHub: a captured body resent under new delivery IDs starts one workflow', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc123' });
    const signature = await signGithubWebhook(GITHUB_SECRET, body);
    const answers = [];
    for (const delivery of ['d-1', 'd-2', 'd-3', 'forged-delivery']) {
      const r = await h.app.request('/v1/webhooks/gh', {
        method: 'POST',
        headers: { 'x-hub-signature-256': signature, 'x-github-delivery': delivery },
        body,
      });
      expect(r.status).toBe(200);
      answers.push(((await r.json()) as { workflowID: string }).workflowID);
    }
    expect(new Set(answers).size).toBe(1);
    const rows = await h.db.sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE name = 'on_push'`;
    expect(rows.map((r) => r.workflow_uuid)).toEqual([answers[0]]);
  });

  it('send: a delivery signed for one workflow, replayed to another workflow’s path, is refused', async () => {
    const [a, b] = [await h.workflow('PENDING'), await h.workflow('PENDING')];
    const forA = await destinationWebhookSecret('standard-webhooks', WHSEC, a);
    expect((await standard(`/v1/webhooks/inbox/${a}`, 'msg_1', '"for a"', forA)).status).toBe(200);
    const before = await h.counts();
    const replay = await standard(`/v1/webhooks/inbox/${b}`, 'msg_1', '"for a"', forA);
    expect(replay.status).toBe(401);
    // Signed with the webhook's own secret, no path delivery is accepted either.
    expect((await standard(`/v1/webhooks/inbox/${b}`, 'msg_2', '"x"', WHSEC)).status).toBe(401);
    expect(await h.counts()).toEqual(before);
    const messages = await h.db
      .sql`SELECT destination_uuid FROM dbos.notifications WHERE destination_uuid IN (${a}, ${b})`;
    expect(messages.map((m) => m.destination_uuid)).toEqual([a]);
  });

  it('an unknown webhook name answers exactly as a bad signature does', async () => {
    const strip = async (r: Response) => {
      const { instance: _instance, requestId: _requestId, ...rest } = (await r.json()) as Record<string, unknown>;
      return { status: r.status, body: rest };
    };
    const unknown = await strip(await standard('/v1/webhooks/no-such-hook', 'msg_u', '1', WHSEC));
    const badSignature = await strip(
      await standard(`/v1/webhooks/inbox/${await h.workflow('PENDING')}`, 'msg_u', '1', WHSEC),
    );
    expect(unknown).toEqual(badSignature);
    expect(unknown.status).toBe(401);
  });
});

describe('the schedule tick', () => {
  const tick = (now: unknown) => h.call('POST', '/v1/schedules/tick', { body: { now } });

  it('refuses a now far past the server clock, so last_fired_at cannot be pushed ahead for good', async () => {
    await h.call('POST', '/v1/schedules', {
      body: { scheduleName: 'skew', workflowName: 'w', schedule: '* * * * *' },
    });
    await tick(NOW); // the watermark: now
    const before = await h.db.sql`SELECT last_fired_at FROM dbos.workflow_schedules WHERE schedule_name = 'skew'`;
    const future = await tick('2125-01-01T00:00:00Z');
    expect(future.status).toBe(400);
    expect(((await future.json()) as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ field: 'body.now', rule: 'clock_skew' }),
    ]);
    const after = await h.db.sql`SELECT last_fired_at FROM dbos.workflow_schedules WHERE schedule_name = 'skew'`;
    expect(after).toEqual(before);
  });

  it('answers an out-of-range date with a 400, not a 500', async () => {
    for (const now of [8.64e15 + 1, -9e15, Number.MAX_SAFE_INTEGER]) {
      const r = await tick(now);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { errors: unknown[] }).errors).toContainEqual(
        expect.objectContaining({ field: 'body.now' }),
      );
    }
  });
});
