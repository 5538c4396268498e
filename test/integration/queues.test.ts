/**
 * Queue management on a real Postgres: the `queues` rows dbos-edge writes (checked column by column and read back
 * by `@dbos-inc/dbos-sdk`'s own client), ownership as DBOS has it, setters that write through, and a schema at
 * migration 107 (Python 2.30's), which has no partition limits.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DBOSClient,
  DBOSConflictingOwnerError,
  DBOSNonExistentQueueError,
  ValidationError,
  type ValidationIssue,
} from '../../src/index.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let shop: DBOSClient;
let nameless: DBOSClient;

beforeAll(async () => {
  db = await createDbosDatabase('edge_queues');
  sql = db.sql;
  shop = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'shop' });
  nameless = new DBOSClient({ systemDatabaseUrl: db.url });
});

afterAll(async () => {
  await shop?.destroy();
  await nameless?.destroy();
  await db?.drop();
});

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

async function row(name: string) {
  const [found] = await sql`SELECT * FROM dbos.queues WHERE name = ${name}`;
  return found;
}

async function issuesOf(call: Promise<unknown>): Promise<readonly ValidationIssue[]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues;
}

describe('registerQueue', () => {
  it('writes every setting to its column, owned by the client application', async () => {
    const name = unique('orders');
    const settings = {
      globalConcurrency: 10,
      workerConcurrency: 4,
      rateLimit: { limitPerPeriod: 50, periodSec: 2.5 },
      partitionConcurrency: 3,
      partitionWorkerConcurrency: 2,
      partitionRateLimit: { limitPerPeriod: 5, periodSec: 1 },
      minPollingIntervalMs: 250,
    };
    const queue = await shop.registerQueue(name, settings);
    expect(await row(name)).toMatchObject({
      concurrency: 10,
      worker_concurrency: 4,
      rate_limit_max: 50,
      rate_limit_period_sec: 2.5,
      partition_concurrency: 3,
      partition_worker_concurrency: 2,
      partition_rate_limit_max: 5,
      partition_rate_limit_period_sec: 1,
      polling_interval_sec: 0.25,
      priority_enabled: true,
      partition_queue: true,
      application_name: 'shop',
    });
    const { globalConcurrency, ...sameNames } = settings;
    expect(queue).toMatchObject({
      name,
      concurrency: globalConcurrency,
      ...sameNames,
      applicationName: 'shop',
      databaseBacked: true,
      clientBound: true,
    });
  });

  it('defaults like the SDK: no limits, 1 s polling, not partitioned; `concurrency` is the old name', async () => {
    const name = unique('plain');
    await shop.registerQueue(name);
    expect(await row(name)).toMatchObject({
      concurrency: null,
      worker_concurrency: null,
      rate_limit_max: null,
      polling_interval_sec: 1,
      partition_queue: false,
    });
    await shop.registerQueue(name, { concurrency: 7 });
    expect((await row(name))?.concurrency).toBe(7);
  });

  it('always_update overwrites the settings, never_update keeps them and returns what is stored', async () => {
    const name = unique('conflict');
    await shop.registerQueue(name, { workerConcurrency: 1 });
    const updated = await shop.registerQueue(name, { workerConcurrency: 2 });
    expect(updated.workerConcurrency).toBe(2);
    const kept = await shop.registerQueue(name, { workerConcurrency: 9, onConflict: 'never_update' });
    expect(kept.workerConcurrency).toBe(2);
    expect((await row(name))?.worker_concurrency).toBe(2);
  });

  it("throws when another application owns the name, in the SDK's words, and changes nothing", async () => {
    const name = unique('owned');
    await shop.registerQueue(name, { workerConcurrency: 1 });
    const error = await shop
      .registerQueue(name, { workerConcurrency: 5, applicationName: 'billing' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSConflictingOwnerError);
    expect((error as Error).message).toBe(
      `Queue '${name}' is already registered by application 'shop' in this system database. Queue names must be unique across applications sharing a system database. Either give 'billing' a different queue name, or, if 'shop' was renamed to 'billing', re-own its rows first with dbos rename-application`,
    );
    const billing = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'billing' });
    await expect(billing.registerQueue(name, { onConflict: 'never_update' })).rejects.toBeInstanceOf(
      DBOSConflictingOwnerError,
    );
    await billing.destroy();
    expect(await row(name)).toMatchObject({ worker_concurrency: 1, application_name: 'shop' });
  });

  it('a nameless client updates a queue and leaves its owner; a named one claims an unclaimed queue', async () => {
    const owned = unique('owned');
    await shop.registerQueue(owned);
    await nameless.registerQueue(owned, { workerConcurrency: 3 });
    expect(await row(owned)).toMatchObject({ worker_concurrency: 3, application_name: 'shop' });

    const unclaimed = unique('unclaimed');
    expect((await nameless.registerQueue(unclaimed)).applicationName).toBeUndefined();
    expect((await row(unclaimed))?.application_name).toBeNull();
    expect((await shop.registerQueue(unclaimed)).applicationName).toBe('shop');
    expect((await row(unclaimed))?.application_name).toBe('shop');
  });

  it('refuses bad input before any SQL, naming the field and rule', async () => {
    expect(await issuesOf(shop.registerQueue('_dbos_mine'))).toMatchObject([{ field: 'name', rule: 'reserved' }]);
    expect(await issuesOf(shop.registerQueue('q', { onConflict: 'update_if_latest_version' }))).toMatchObject([
      { field: 'options.onConflict', message: expect.stringContaining("Use 'always_update' or 'never_update'") },
    ]);
    expect(await issuesOf(shop.registerQueue('q', { concurrency: 1, globalConcurrency: 1 }))).toMatchObject([
      { field: 'options.concurrency', rule: 'exclusive' },
    ]);
    expect(await issuesOf(shop.registerQueue('q', { priorityEnabled: true } as never))).toMatchObject([
      { field: 'options.priorityEnabled', message: expect.stringContaining('every queue dispatches in priority') },
    ]);
    expect(await issuesOf(shop.registerQueue('q', { partitionConcurrency: 0 }))).toMatchObject([
      { field: 'options.partitionConcurrency', message: 'partitionConcurrency must be at least 1' },
    ]);
    expect(await issuesOf(shop.registerQueue('q', { globalConcurrency: 2, workerConcurrency: 3 }))).toEqual([
      {
        field: 'options.workerConcurrency',
        rule: 'bounds',
        message: 'workerConcurrency must be less than or equal to globalConcurrency',
      },
    ]);
    expect(await issuesOf(shop.registerQueue('q', { rateLimit: { limitPerPeriod: 1 } } as never))).toMatchObject([
      { field: 'options.rateLimit.periodSec', rule: 'required' },
    ]);
    expect(await row('q')).toBeUndefined();
  });
});

describe('a registered queue', () => {
  it('writes each setter through to its column, and clears a limit with undefined', async () => {
    const name = unique('setters');
    const queue = await shop.registerQueue(name, { globalConcurrency: 10 });
    await queue.setWorkerConcurrency(5);
    await queue.setRateLimit({ limitPerPeriod: 3, periodSec: 60 });
    await queue.setPartitionConcurrency(4);
    await queue.setPartitionWorkerConcurrency(2);
    await queue.setPartitionRateLimit({ limitPerPeriod: 1, periodSec: 0.5 });
    await queue.setMinPollingIntervalMs(2000);
    await queue.setGlobalConcurrency(undefined);
    expect(await row(name)).toMatchObject({
      concurrency: null,
      worker_concurrency: 5,
      rate_limit_max: 3,
      rate_limit_period_sec: 60,
      partition_concurrency: 4,
      partition_worker_concurrency: 2,
      partition_rate_limit_max: 1,
      partition_rate_limit_period_sec: 0.5,
      polling_interval_sec: 2,
      partition_queue: true,
    });
    await queue.update({ partitionConcurrency: null, partitionWorkerConcurrency: null, partitionRateLimit: null });
    expect((await row(name))?.partition_queue).toBe(false);
    expect(queue.partitionConcurrency).toBeUndefined();
  });

  it('getters read the row again', async () => {
    const name = unique('getters');
    const queue = await shop.registerQueue(name, { workerConcurrency: 1 });
    await sql`UPDATE dbos.queues SET worker_concurrency = 8, rate_limit_max = 2, rate_limit_period_sec = 3 WHERE name = ${name}`;
    expect(await queue.getWorkerConcurrency()).toBe(8);
    expect(await queue.getRateLimit()).toEqual({ limitPerPeriod: 2, periodSec: 3 });
    expect(await queue.getGlobalConcurrency()).toBeUndefined();
  });

  it('refuses a setter that breaks a bound with the values stored now, and changes nothing', async () => {
    const name = unique('bounds');
    const queue = await shop.registerQueue(name, { globalConcurrency: 10, workerConcurrency: 5 });
    await sql`UPDATE dbos.queues SET concurrency = 3 WHERE name = ${name}`; // another process lowered it
    expect(await issuesOf(queue.setPartitionConcurrency(4))).toEqual([
      {
        field: 'changes.workerConcurrency',
        rule: 'bounds',
        message: 'workerConcurrency must be less than or equal to globalConcurrency',
      },
    ]);
    expect(await row(name)).toMatchObject({ concurrency: 3, worker_concurrency: 5, partition_concurrency: null });
  });

  it('a setter or getter of a deleted queue throws DBOSNonExistentQueueError', async () => {
    const name = unique('gone');
    const queue = await shop.registerQueue(name);
    await shop.deleteQueue(name);
    await expect(queue.setWorkerConcurrency(1)).rejects.toBeInstanceOf(DBOSNonExistentQueueError);
    await expect(queue.getWorkerConcurrency()).rejects.toThrow(`Queue '${name}' was not found in the database.`);
  });
});

describe('retrieveQueue, deleteQueue, listQueues', () => {
  it('retrieves a queue or null, and deletes idempotently', async () => {
    const name = unique('retrieve');
    await shop.registerQueue(name, { workerConcurrency: 2 });
    expect((await shop.retrieveQueue(name))?.workerConcurrency).toBe(2);
    await shop.deleteQueue(name);
    await shop.deleteQueue(name);
    expect(await shop.retrieveQueue(name)).toBeNull();
    expect(await row(name)).toBeUndefined();
  });

  it("lists the client's and unclaimed queues by default, the named applications' when asked, all when nameless", async () => {
    const mine = await shop.registerQueue(unique('mine'));
    const free = await nameless.registerQueue(unique('free'));
    const theirs = await shop.registerQueue(unique('theirs'), { applicationName: 'billing' });
    const names = (queues: { name: string }[]) => queues.map((q) => q.name);
    const own = names(await shop.listQueues());
    expect(own).toEqual(expect.arrayContaining([mine.name, free.name]));
    expect(own).not.toContain(theirs.name);
    expect(own).toEqual([...own].sort());
    const billing = names(await shop.listQueues('billing'));
    expect(billing).toEqual(expect.arrayContaining([theirs.name, free.name]));
    expect(billing).not.toContain(mine.name);
    expect(names(await shop.listQueues(['billing', 'shop']))).toEqual(
      expect.arrayContaining([mine.name, free.name, theirs.name]),
    );
    expect(names(await nameless.listQueues())).toEqual(expect.arrayContaining([mine.name, free.name, theirs.name]));
  });
});

describe("@dbos-inc/dbos-sdk's own client reads and writes the same rows", () => {
  it('reads what dbos-edge registered, and dbos-edge reads what it registered', async () => {
    const sdk = await SdkClient.create({ systemDatabaseUrl: db.url, applicationName: 'shop' });
    try {
      const edgeName = unique('edge-made');
      await shop.registerQueue(edgeName, {
        globalConcurrency: 6,
        workerConcurrency: 3,
        rateLimit: { limitPerPeriod: 9, periodSec: 4 },
        partitionConcurrency: 2,
        minPollingIntervalMs: 500,
      });
      const seen = await sdk.retrieveQueue(edgeName);
      expect(seen).toMatchObject({
        concurrency: 6,
        workerConcurrency: 3,
        rateLimit: { limitPerPeriod: 9, periodSec: 4 },
        partitionConcurrency: 2,
        minPollingIntervalMs: 500,
        applicationName: 'shop',
      });

      const sdkName = unique('sdk-made');
      await sdk.registerQueue(sdkName, {
        workerConcurrency: 2,
        partitionRateLimit: { limitPerPeriod: 1, periodSec: 2 },
      });
      const sdkRow = await row(sdkName);
      await shop.registerQueue(sdkName, {
        workerConcurrency: 2,
        partitionRateLimit: { limitPerPeriod: 1, periodSec: 2 },
      });
      const { updated_at: _sdkTime, created_at: _c1, queue_id: _id1, ...sdkColumns } = sdkRow ?? {};
      const { updated_at: _edgeTime, created_at: _c2, queue_id: _id2, ...edgeColumns } = (await row(sdkName)) ?? {};
      expect(edgeColumns).toEqual(sdkColumns);
      expect(await shop.retrieveQueue(sdkName)).toMatchObject({
        workerConcurrency: 2,
        partitionRateLimit: { limitPerPeriod: 1, periodSec: 2 },
      });
    } finally {
      await sdk.destroy();
    }
  });
});

describe('a schema at migration 107 (Python 2.30), without partition limits', () => {
  let old: Awaited<ReturnType<typeof createDbosDatabase>>;
  let client: DBOSClient;

  beforeAll(async () => {
    old = await createDbosDatabase('edge_queues_107');
    await old.sql.unsafe(`ALTER TABLE dbos.queues DROP COLUMN partition_concurrency, DROP COLUMN partition_worker_concurrency,
      DROP COLUMN partition_rate_limit_max, DROP COLUMN partition_rate_limit_period_sec`);
    await old.sql`DELETE FROM dbos.dbos_migrations`;
    await old.sql`INSERT INTO dbos.dbos_migrations (version) VALUES (107)`;
    client = new DBOSClient({ systemDatabaseUrl: old.url, applicationName: 'py' });
  });

  afterAll(async () => {
    await client?.destroy();
    await old?.drop();
  });

  it('registers, updates, lists and retrieves queues', async () => {
    const queue = await client.registerQueue('py-q', {
      globalConcurrency: 4,
      rateLimit: { limitPerPeriod: 2, periodSec: 1 },
    });
    await queue.setWorkerConcurrency(2);
    const [stored] = await old.sql`SELECT * FROM dbos.queues WHERE name = 'py-q'`;
    expect(stored).toMatchObject({ concurrency: 4, worker_concurrency: 2, rate_limit_max: 2, partition_queue: false });
    expect((await client.retrieveQueue('py-q'))?.partitionConcurrency).toBeUndefined();
    expect((await client.listQueues()).map((q) => q.name)).toEqual(['py-q']);
  });

  it('refuses partition limits, naming the field, rather than dropping them', async () => {
    expect(await issuesOf(client.registerQueue('py-p', { partitionConcurrency: 2 }))).toMatchObject([
      { field: 'options.partitionConcurrency', rule: 'schema_version' },
    ]);
    const queue = await client.registerQueue('py-p');
    expect(await issuesOf(queue.setPartitionRateLimit({ limitPerPeriod: 1, periodSec: 1 }))).toMatchObject([
      { field: 'changes.partitionRateLimit', rule: 'schema_version' },
    ]);
  });
});
