/**
 * Limits (issue 14, finding 12), through the app on a real Postgres: a cap on concurrent long polls and SSE streams
 * (503 with Retry-After beyond it, the slot back once a wait ends), a paged schedule listing, and the security
 * headers of `/docs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, httpHarness } from '../http/helpers.ts';

let h: Harness;

beforeAll(async () => {
  h = await httpHarness('edge_hard_limits', { limits: { maxConcurrentWaits: 2, defaultPageSize: 2 } });
});
afterAll(() => h?.close());

describe('concurrent waits', () => {
  it('beyond the cap a wait gets 503 with Retry-After; a slot comes back when a wait ends', async () => {
    const id = await h.workflow('PENDING');
    const open = async () => {
      const r = await h.call('GET', `/v1/workflows/${id}/streams/s`);
      expect(r.status).toBe(200);
      const reader = (r.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the opening comment: the stream holds its slot
      return reader;
    };
    const streams = [await open(), await open()];
    const third = await h.call('GET', `/v1/workflows/${id}/result?timeoutMs=20000`);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as { title: string }).title).toBe('Too many waits');
    // An answer that does not wait takes no slot.
    expect((await h.call('GET', `/v1/workflows/${id}/result`)).status).toBe(202);
    await streams[0]?.cancel();
    let status = 503;
    for (let i = 0; i < 200 && status === 503; i++) {
      const r = await h.call('GET', `/v1/workflows/${id}/events/e?timeoutMs=1`);
      status = r.status;
      await r.arrayBuffer();
      if (status === 503) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(202);
    await streams[1]?.cancel();
  });
});

describe('schedule listing', () => {
  it('is paged by name: limit (default and cap from the limits) and startAfter', async () => {
    for (const name of ['p-a', 'p-b', 'p-c']) {
      const r = await h.call('POST', '/v1/schedules', {
        body: { scheduleName: name, workflowName: 'w', schedule: '0 0 1 1 *' },
      });
      expect(r.status).toBe(201);
    }
    const names = (body: { schedules: { scheduleName: string }[] }) => body.schedules.map((x) => x.scheduleName);
    const first = (await (await h.call('GET', '/v1/schedules?scheduleNamePrefix=p-')).json()) as {
      schedules: { scheduleName: string }[];
      nextStartAfter?: string;
    };
    expect(names(first)).toEqual(['p-a', 'p-b']);
    expect(first.nextStartAfter).toBe('p-b');
    const second = (await (
      await h.call('GET', `/v1/schedules?scheduleNamePrefix=p-&startAfter=${first.nextStartAfter}`)
    ).json()) as { schedules: { scheduleName: string }[]; nextStartAfter?: string };
    expect(names(second)).toEqual(['p-c']);
    expect(second.nextStartAfter).toBeUndefined();
    const tooMany = await h.call('GET', '/v1/schedules?limit=100000');
    expect(tooMany.status).toBe(400);
  });
});

describe('/docs', () => {
  it('is sent with nosniff and a content security policy that allows no script', async () => {
    const r = await h.call('GET', '/docs', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).not.toContain('script-src');
  });
});

describe('listing response size', () => {
  it('ends a page of large payloads early and carries on from there, never skipping or repeating', async () => {
    const small = await httpHarness('edge_hard_bytes', { limits: { maxResponseBytes: 4000 } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await small.call('POST', '/v1/workflows', {
          body: { options: { queueName: 'big', workflowName: 'w', workflowID: `big-${i}` }, args: ['x'.repeat(900)] },
        });
        expect(r.status).toBe(201);
        ids.push(`big-${i}`);
      }
      const seen: string[] = [];
      let offset: number | null = 0;
      let pages = 0;
      while (offset !== null && pages < 20) {
        const r = await small.call('GET', `/v1/workflows?queueName=big&limit=100&offset=${offset}`);
        const text = await r.text();
        expect(text.length).toBeLessThan(4000 + 2000); // one item may cross the budget; the next page starts there
        const body = JSON.parse(text) as { workflows: { workflowID: string }[]; nextOffset: number | null };
        seen.push(...body.workflows.map((w) => w.workflowID));
        offset = body.nextOffset;
        pages += 1;
      }
      expect(pages).toBeGreaterThan(1);
      expect(seen.sort()).toEqual([...ids].sort());
    } finally {
      await small.close();
    }
  });
});
