/** Bulk actions against a real DBOS worker that is running the very workflows being changed. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DBOSClient } from '../../src/index.ts';
import { waitUntil } from './worker/harness.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
let client: DBOSClient;

beforeAll(() => {
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
});
afterAll(() => client?.destroy());

describe('bulk cancel', () => {
  it('cancels 10k workflows while the worker runs them: none left PENDING, none run twice', async () => {
    const p = `bulk-${Date.now().toString(36)}-`;
    for (let chunk = 0; chunk < 2; chunk++) {
      const results = await client.enqueueMany(
        Array.from({ length: 5000 }, (_, i) => ({
          options: { queueName: 'bulk', workflowName: 'sleeper', workflowID: `${p}${chunk * 5000 + i}` },
          args: [50],
        })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
    }
    const count = async (status: string) =>
      (
        await client.listWorkflows({
          workflowIDPrefix: p,
          status: status as 'SUCCESS',
          loadInput: false,
          loadOutput: false,
        })
      ).length;
    await waitUntil(async () => (await count('SUCCESS')) >= 40, { timeoutMs: 30_000 });
    const result = await client.cancelWorkflows({ filter: { workflowIDPrefix: p } }, { batchSize: 1000 });
    expect(result.count).toBeGreaterThan(9000);
    // Give the worker time to notice; it must not bring any of them back.
    await new Promise((r) => setTimeout(r, 2000));
    const all = await client.listWorkflows({ workflowIDPrefix: p, loadInput: false, loadOutput: false });
    expect(all).toHaveLength(10_000);
    const byStatus: Record<string, number> = {};
    for (const w of all) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
    expect(Object.keys(byStatus).sort()).toEqual(['CANCELLED', 'SUCCESS']);
    expect(byStatus.CANCELLED).toBe(result.count);
    // Each claim by a worker counts a recovery attempt: more than one would mean a second execution.
    expect(Math.max(...all.map((w) => w.recoveryAttempts ?? 0))).toBeLessThanOrEqual(1);
    expect(await client.cancelWorkflows({ filter: { workflowIDPrefix: p } })).toEqual({ count: 0 });
  });
});
