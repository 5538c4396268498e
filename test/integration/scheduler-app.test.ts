/**
 * Schedules written in the format of the DBOS app that fires them, against real Postgres: the `schedulerApp` option,
 * detection from what apps wrote (pickle: Python; superjson: TypeScript), and refusal when the database cannot tell.
 * The interop suites show the real apps' schedulers reading what is written here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DBOSClient, type DBOSClientConfig, ValidationError } from '../../src/index.ts';
import { decodePickle } from '../../src/pickle/decode.ts';
import { encodePickle } from '../../src/pickle/encode.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
const clients: DBOSClient[] = [];

beforeEach(async () => {
  db = await createDbosDatabase('edge_schedapp');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await db.drop();
});

function client(config: Partial<DBOSClientConfig> = {}): DBOSClient {
  const made = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'shop', ...config });
  clients.push(made);
  return made;
}

/** A workflow an app ran itself, in its own format: the sign detection reads. */
async function appWorkflow(serialization: 'py_pickle' | 'js_superjson' | null, inputs: string): Promise<void> {
  await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, inputs, application_name,
                 created_at, updated_at)
               VALUES (${crypto.randomUUID()}, 'SUCCESS', 'app_wf', ${serialization}, ${inputs}, 'shop', 1, 1)`;
}

const storedContext = async (name: string) =>
  String((await db.sql`SELECT context FROM dbos.workflow_schedules WHERE schedule_name = ${name}`)[0]?.context);

const schedule = (scheduleName: string, context: unknown = { region: 'eu', retries: 3 }) => ({
  scheduleName,
  workflowName: 'nightly',
  schedule: '0 0 * * * *',
  context,
});

describe('detection', () => {
  it('refuses to write a schedule when no app has written in its own format yet, naming the option', async () => {
    const error = await client()
      .createSchedule(schedule('fresh'))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([expect.objectContaining({ field: 'config.schedulerApp', rule: 'undetectable' })]);
    expect(error.message).toContain("set schedulerApp: { language: 'typescript' | 'python'");
    expect(await db.sql`SELECT 1 FROM dbos.workflow_schedules`).toHaveLength(0);
  });

  it('writes a pickled context, and fires Python run IDs, where a Python app has written pickle', async () => {
    await appWorkflow(null, encodePickle({ args: [1], kwargs: {} }));
    const edge = client();
    await edge.createSchedule(schedule('py'));
    expect(decodePickle(await storedContext('py'))).toEqual({ region: 'eu', retries: 3 });
    expect((await edge.getSchedule('py'))?.context).toEqual({ region: 'eu', retries: 3 });

    const [run] = await edge.backfillSchedule('py', new Date('2026-03-01T00:30:00Z'), new Date('2026-03-01T01:30:00Z'));
    expect(run?.workflowID).toBe('sched-py-2026-03-01T01:00:00+00:00');
    const [row] =
      await db.sql`SELECT serialization, inputs FROM dbos.workflow_status WHERE workflow_uuid = ${run?.workflowID ?? ''}`;
    expect(row?.serialization).toBe('py_pickle');
    expect(decodePickle(String(row?.inputs))).toEqual({
      args: [new Date('2026-03-01T01:00:00Z'), { region: 'eu', retries: 3 }],
      kwargs: {},
    });
  });

  it('writes a superjson context, and TypeScript run IDs, where a TypeScript app has written superjson', async () => {
    await appWorkflow('js_superjson', '{"json":[1],"__dbos_serializer":"superjson"}');
    const edge = client();
    await edge.createSchedule(schedule('ts', { at: new Date('2026-01-02T03:04:05Z') }));
    const context = JSON.parse(await storedContext('ts'));
    expect(context.__dbos_serializer).toBe('superjson');
    expect((await edge.getSchedule('ts'))?.context).toEqual({ at: new Date('2026-01-02T03:04:05Z') });
    const [run] = await edge.backfillSchedule('ts', new Date('2026-03-01T00:30:00Z'), new Date('2026-03-01T01:30:00Z'));
    expect(run?.workflowID).toBe('sched-ts-2026-03-01T01:00:00.000Z');
  });

  it('refuses when both languages have written natively, rather than pick one', async () => {
    await appWorkflow('py_pickle', encodePickle({ args: [], kwargs: {} }));
    await appWorkflow('js_superjson', '{"json":[],"__dbos_serializer":"superjson"}');
    const error = await client()
      .createSchedule(schedule('both'))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('both Python (pickle) and TypeScript (superjson)');
  });

  it('reads only the client application’s own rows and unclaimed ones', async () => {
    await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, inputs, application_name,
                   created_at, updated_at)
                 VALUES ('other-app', 'SUCCESS', 'w', 'py_pickle', ${encodePickle({ args: [], kwargs: {} })}, 'billing', 1, 1)`;
    await expect(client().createSchedule(schedule('scoped'))).rejects.toThrow(/undetectable|cannot tell/);
    await client({ applicationName: 'billing' }).createSchedule(schedule('scoped'));
    expect(decodePickle(await storedContext('scoped'))).toEqual({ region: 'eu', retries: 3 });
  });

  it('needs no detection for a schedule that asks for portable JSON', async () => {
    await client().createSchedule({ ...schedule('explicit'), serializationType: 'portable' });
    expect(JSON.parse(await storedContext('explicit'))).toEqual({ region: 'eu', retries: 3 });
  });
});

describe('the schedulerApp option', () => {
  it('python: a pickled context, without reading the database for signs', async () => {
    const edge = client({ schedulerApp: { language: 'python' } });
    await edge.createSchedule(schedule('opt-py'));
    expect(decodePickle(await storedContext('opt-py'))).toEqual({ region: 'eu', retries: 3 });
    // No class is NULL for Python (its scheduler would look up a class named ''), '' for TypeScript as its client does.
    await client({ schedulerApp: { language: 'typescript' } }).createSchedule(schedule('opt-ts'));
    const classes = await db.sql`SELECT schedule_name, workflow_class_name FROM dbos.workflow_schedules ORDER BY 1`;
    expect(classes).toEqual([
      { schedule_name: 'opt-py', workflow_class_name: null },
      { schedule_name: 'opt-ts', workflow_class_name: '' },
    ]);
  });

  it('python-portable: portable JSON contexts and Python run IDs', async () => {
    const edge = client({ schedulerApp: { language: 'python', serializer: 'portable' } });
    await edge.createSchedule(schedule('opt-pyp'));
    expect(JSON.parse(await storedContext('opt-pyp'))).toEqual({ region: 'eu', retries: 3 });
    const [run] = await edge.backfillSchedule(
      'opt-pyp',
      new Date('2026-03-01T00:30:00Z'),
      new Date('2026-03-01T01:30:00Z'),
    );
    expect(run?.workflowID).toBe('sched-opt-pyp-2026-03-01T01:00:00+00:00');
  });

  it('refuses portable JSON for an app that reads only its native format, naming the field', async () => {
    const edge = client({ schedulerApp: { language: 'python' } });
    const error = await edge.createSchedule({ ...schedule('portable'), serializationType: 'portable' }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'schedule.serializationType', rule: 'scheduler_format' }),
    ]);
    expect(await db.sql`SELECT 1 FROM dbos.workflow_schedules`).toHaveLength(0);
  });

  it('refuses a context pickle cannot express before writing anything, naming the field', async () => {
    const edge = client({ schedulerApp: { language: 'python' } });
    const error = await edge.createSchedule(schedule('bad', { tags: new Set(['a']) })).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]).toMatchObject({ field: 'schedule.context.tags', rule: 'pickleable' });
    expect(await db.sql`SELECT 1 FROM dbos.workflow_schedules`).toHaveLength(0);
  });

  it('keeps a pickled context pickled when the context is updated', async () => {
    const edge = client({ schedulerApp: { language: 'python' } });
    await edge.createSchedule(schedule('upd'));
    // Another client, fired by the tick only, still keeps the schedule's own format.
    await client({ schedulerApp: { language: 'typescript', serializer: 'portable' } }).updateSchedule('upd', {
      context: { region: 'us' },
    });
    expect(decodePickle(await storedContext('upd'))).toEqual({ region: 'us' });
  });

  it('is refused when it names an unknown language', () => {
    expect(() => client({ schedulerApp: { language: 'ruby' as 'python' } })).toThrow(ValidationError);
  });
});
