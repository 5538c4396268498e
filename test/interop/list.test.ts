/** Every listWorkflows filter, over workflows a real DBOS worker ran (isolated from other files by an ID prefix). */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DBOSClient, type ListWorkflowsInput, type WorkflowStatus } from '../../src/index.ts';
import { waitUntil } from './worker/harness.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const appVersion = inject('interopAppVersion');
const p = `lf-${Date.now().toString(36)}-`;
let client: DBOSClient;
const wf: Record<string, WorkflowStatus> = {};

async function ids(filter: ListWorkflowsInput = {}): Promise<string[]> {
  const rows = await client.listWorkflows({ workflowIDPrefix: p, ...filter });
  return rows.map((r) => r.workflowID.slice(p.length));
}

beforeAll(async () => {
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName, polling: { minIntervalMs: 5 } });
  const q = { queueName: 'interop' };
  const add = await client.enqueue(
    { ...q, workflowName: 'add', workflowID: `${p}add`, authenticatedUser: 'alice', attributes: { kind: 'a', n: 1 } },
    1,
    2,
  );
  await add.getResult({ timeoutMs: 20_000 });
  const fail = await client.enqueue(
    { ...q, workflowName: 'failing', workflowID: `${p}fail`, authenticatedUser: 'bob' },
    'x',
  );
  await fail.getResult({ timeoutMs: 20_000 }).catch(() => undefined);
  await client.enqueue({ ...q, workflowName: 'add', workflowID: `${p}held`, appVersion: 'v-none' }, 1, 1);
  await client.enqueue({ ...q, workflowName: 'add', workflowID: `${p}cancelled`, appVersion: 'v-none' }, 1, 1);
  await client.cancelWorkflow(`${p}cancelled`);
  const fork = await client.forkWorkflow(`${p}add`, 0, { newWorkflowID: `${p}fork` });
  await fork.getResult({ timeoutMs: 20_000 });
  const parent = await client.enqueue({ ...q, workflowName: 'parent', workflowID: `${p}parent` }, 5);
  await parent.getResult({ timeoutMs: 20_000 });
  await waitUntil(async () => (await client.listWorkflows({ parentWorkflowID: `${p}parent` })).length === 1, {
    timeoutMs: 20_000,
  });
  for (const s of await client.listWorkflows({ workflowIDPrefix: p })) wf[s.workflowID.slice(p.length)] = s;
});

afterAll(async () => {
  await client?.cancelWorkflow(`${p}held`);
  await client?.destroy();
});

const child = () => Object.keys(wf).find((k) => k.startsWith('parent') && k !== 'parent') as string;

describe('listWorkflows filters', () => {
  it('by workflow IDs, names and statuses', async () => {
    expect(Object.keys(wf).sort()).toEqual(['add', 'cancelled', 'fail', 'fork', 'held', 'parent', child()].sort());
    expect(await ids({ workflowIDs: [`${p}add`, `${p}fail`] })).toEqual(['add', 'fail']);
    expect((await ids({ workflowName: 'add' })).sort()).toEqual(['add', 'cancelled', 'fork', 'held']);
    expect(await ids({ workflowName: 'sleeper' })).toEqual([child()]);
    expect((await ids({ workflowName: ['failing', 'parent'] })).sort()).toEqual(['fail', 'parent']);
    expect(await ids({ status: 'ERROR' })).toEqual(['fail']);
    expect(await ids({ status: 'CANCELLED' })).toEqual(['cancelled']);
    expect((await ids({ status: ['ENQUEUED', 'CANCELLED'] })).sort()).toEqual(['cancelled', 'held']);
    expect((await ids({ status: 'SUCCESS' })).sort()).toEqual(['add', 'fork', 'parent', child()].sort());
  });

  it('by created, completed and dequeued time (inclusive bounds, ISO, Date or epoch ms)', async () => {
    const a = wf.add as WorkflowStatus;
    expect(await ids({ startTime: new Date(a.createdAt).toISOString(), endTime: a.createdAt })).toEqual(['add']);
    expect(await ids({ completedAfter: a.completedAt, completedBefore: new Date(a.completedAt as number) })).toEqual([
      'add',
    ]);
    expect(await ids({ dequeuedAfter: a.dequeuedAt, dequeuedBefore: a.dequeuedAt })).toContain('add');
    const last = Math.max(...Object.values(wf).map((s) => s.createdAt));
    expect(await ids({ startTime: last + 1 })).toEqual([]);
  });

  it('by user, application version, executor, queue, ID prefix and application', async () => {
    expect((await ids({ authenticatedUser: 'alice' })).sort()).toEqual(['add', 'fork']); // a fork keeps its user
    expect(await ids({ authenticatedUser: ['bob'] })).toEqual(['fail']);
    expect((await ids({ applicationVersion: 'v-none' })).sort()).toEqual(['cancelled', 'held']);
    expect(await ids({ applicationVersion: appVersion })).toContain('add');
    const executor = wf.add?.executorId as string;
    expect(executor).toBeTruthy();
    expect(await ids({ executorId: executor })).not.toContain('held');
    expect(await ids({ queueName: '_dbos_internal_queue' })).toEqual(['fork']); // a fork runs on DBOS's internal queue
    expect((await ids({ workflowIDPrefix: [`${p}f`, `${p}h`] })).sort()).toEqual(['fail', 'fork', 'held']);
    const bySnakeCase = await client.listWorkflows({ workflow_id_prefix: `${p}can` });
    expect(bySnakeCase.map((s) => s.workflowID)).toEqual([`${p}cancelled`]);
    expect(await ids({ applicationName: 'another-app' })).toEqual([]);
    expect((await ids({ applicationName: appName })).length).toBe(7);
  });

  it('by fork and parent lineage', async () => {
    expect(await ids({ forkedFrom: `${p}add` })).toEqual(['fork']);
    expect(await ids({ wasForkedFrom: true })).toEqual(['add']);
    expect(await ids({ isFork: true })).toEqual(['fork']);
    expect(await ids({ isFork: false })).not.toContain('fork');
    expect(await ids({ parentWorkflowID: `${p}parent` })).toEqual([child()]);
    expect(await ids({ hasParent: true })).toEqual([child()]);
    expect(await ids({ hasParent: false })).not.toContain(child());
  });

  it('by attributes (JSONB containment)', async () => {
    expect((await ids({ attributes: { kind: 'a' } })).sort()).toEqual(['add', 'fork']);
    expect(await ids({ attributes: { kind: 'a', n: 2 } })).toEqual([]);
  });

  it('pages with limit and offset, oldest first unless sortDesc', async () => {
    const all = await ids();
    const created = all.map((k) => wf[k]?.createdAt as number);
    expect(created).toEqual([...created].sort((x, y) => x - y));
    expect(await ids({ limit: 2, offset: 1 })).toEqual(all.slice(1, 3));
    expect(await ids({ sortDesc: true })).toEqual([...all].reverse());
  });

  it('loads inputs and outputs only when asked', async () => {
    const [full] = await client.listWorkflows({ workflowIDs: [`${p}add`] });
    expect(full).toMatchObject({ input: [1, 2], output: 3 });
    const [bare] = await client.listWorkflows({ workflowIDs: [`${p}add`], loadInput: false, loadOutput: false });
    expect(bare?.input).toBeUndefined();
    expect(bare?.output).toBeUndefined();
    expect(bare?.status).toBe('SUCCESS');
  });

  it('listQueuedWorkflows: on a queue and unfinished, narrowed by a status filter', async () => {
    const queued = await client.listQueuedWorkflows({ workflowIDPrefix: p });
    expect(queued.map((s) => s.workflowID)).toEqual([`${p}held`]);
    expect(queued[0]?.output).toBeUndefined();
    expect(await client.listQueuedWorkflows({ workflowIDPrefix: p, status: 'SUCCESS' })).toEqual([]);
    expect((await client.listQueuedWorkflows({ workflowIDPrefix: p, status: 'ENQUEUED' })).length).toBe(1);
  });
});

describe('cancelChildren', () => {
  it('cancels a workflow and its descendants', async () => {
    const parent = await client.enqueue({ queueName: 'interop', workflowName: 'parent', workflowID: `${p}tree` }, 3000);
    await waitUntil(async () => (await client.listWorkflows({ parentWorkflowID: `${p}tree` })).length === 1, {
      timeoutMs: 20_000,
    });
    await client.cancelWorkflow(parent.workflowID, { cancelChildren: true });
    const [kid] = await client.listWorkflows({ parentWorkflowID: `${p}tree` });
    expect(kid?.status).toBe('CANCELLED');
    expect((await parent.getStatus())?.status).toBe('CANCELLED');
  });
});
