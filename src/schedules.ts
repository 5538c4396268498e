/**
 * Schedules: the seed's schedule API over `workflow_schedules`, plus the tick that fires due schedules from
 * an edge cron trigger (Cloudflare `scheduled`, `Deno.cron`, any cron), so schedules keep firing, and missed runs
 * are caught up, while no DBOS process is up.
 *
 * Runs get DBOS's deterministic workflow IDs, so a tick that runs twice, two ticks at once, and a DBOS app's own
 * scheduler all start each scheduled time once (the workflow ID is the primary key). TypeScript and Python
 * format the ID differently; a tick already run under either format is skipped.
 */
import { type CronSchedule, parseCron, type ScheduleIdFormat, scheduledWorkflowID, validateTimezone } from './cron.ts';
import type { Row } from './driver.ts';
import {
  DBOSConflictingScheduleError,
  DBOSEdgeError,
  DBOSNonExistentScheduleError,
  DBOSSerializationError,
  ValidationError,
} from './errors.ts';
import {
  asList,
  type BackfillOptions,
  BackfillOptionsSchema,
  type ListSchedulesInput,
  ListSchedulesSchema,
  MAX_BACKFILL_TICKS,
  type ScheduleInput,
  type SchedulerApp,
  ScheduleSchema,
  SchedulesSchema,
  type ScheduleUpdate,
  ScheduleUpdateSchema,
  type TickOptions,
  TickOptionsSchema,
  validate,
  validateId,
} from './options.ts';
import type { ClientScope } from './scope.ts';
import { NATIVE, PICKLE, PORTABLE, type SerializationType } from './serialization.ts';
import { type Query, runOn, type SqlContext } from './sql/base.ts';
import {
  deleteScheduleStatement,
  fireStatement,
  insertSchedulesStatement,
  listSchedulesStatement,
  type ScheduleRecord,
  type ScheduleRow,
  schedulerEvidenceStatement,
  updateScheduleStatement,
} from './sql/schedules.ts';

/** A schedule, in the TS SDK's `WorkflowSchedule` shape. */
export interface WorkflowSchedule {
  scheduleId: string;
  scheduleName: string;
  workflowName: string;
  /** '' when none, as the TS SDK reports it. */
  workflowClassName: string;
  schedule: string;
  status: string;
  /** The decoded context, or the serialization error explaining why it cannot be read (a pickled context). */
  context: unknown;
  lastFiredAt: string | null;
  automaticBackfill: boolean;
  cronTimezone: string | null;
  queueName: string | null;
  applicationName?: string;
}

/** What one tick did for one schedule. */
export interface ScheduleTickResult {
  scheduleName: string;
  /** Workflow IDs this tick enqueued, oldest first. */
  fired: string[];
  /** Due ticks that had already been started (by another tick, a backfill, or a DBOS app's scheduler). */
  alreadyStarted: number;
  /** Due ticks older than the newest `maxCatchUp`, left out (at least this many). */
  skipped: number;
  /** Why this schedule could not be fired; the others were fired regardless. */
  error?: string;
}

export interface TickReport {
  /** The tick's "now", ISO. */
  now: string;
  /** Enqueued runs over all schedules. */
  fired: number;
  /** Schedules that failed. */
  errors: number;
  schedules: ScheduleTickResult[];
}

const DEFAULT_MAX_CATCH_UP = 100;

/** The app that fires the schedules: the language its run IDs follow and the format its scheduler reads contexts in. */
interface SchedulerDialect {
  readonly language: ScheduleIdFormat;
  readonly contextFormat: typeof PORTABLE | typeof NATIVE | typeof PICKLE;
}

function dialectOf(app: SchedulerApp): SchedulerDialect {
  if (app.serializer === 'portable') return { language: app.language, contextFormat: PORTABLE };
  return { language: app.language, contextFormat: app.language === 'python' ? PICKLE : NATIVE };
}

export class Schedules {
  readonly #scope: ClientScope;
  readonly #schedulerApp: SchedulerApp | undefined;
  #detected: Promise<SchedulerDialect> | undefined;

  constructor(scope: ClientScope, schedulerApp: SchedulerApp | undefined) {
    this.#scope = scope;
    this.#schedulerApp = schedulerApp;
  }

  /**
   * The scheduler's dialect: the configured `schedulerApp`, else detected from the database once (a failure is not
   * kept, so the next call looks again, as a new app may have written by then). Only an unambiguous sign counts:
   * rows in Python's pickle or TypeScript's superjson, which only that language's app writes. No sign, or both,
   * is refused with an error naming the option, never guessed: a context the app cannot read stops its scheduler.
   */
  #dialect(): Promise<SchedulerDialect> {
    if (this.#schedulerApp) return Promise.resolve(dialectOf(this.#schedulerApp));
    this.#detected ??= this.#detect().catch((e) => {
      this.#detected = undefined;
      throw e;
    });
    return this.#detected;
  }

  /** The dialect when it can be told, else undefined: for choices that have a safe fallback. */
  #knownDialect(): Promise<SchedulerDialect | undefined> {
    return this.#dialect().catch(() => undefined);
  }

  async #detect(): Promise<SchedulerDialect> {
    const [sign] = await this.#query((ctx) => schedulerEvidenceStatement(ctx, this.#scope.applicationName ?? null));
    if (sign?.python !== sign?.typescript) {
      return dialectOf({ language: sign?.python ? 'python' : 'typescript', serializer: 'native' });
    }
    const found = sign?.python
      ? 'both Python (pickle) and TypeScript (superjson) app data'
      : 'no data a DBOS app wrote in its own format yet';
    throw new ValidationError([
      {
        field: 'config.schedulerApp',
        rule: 'undetectable',
        message: `cannot tell which DBOS app fires these schedules (the database holds ${found}); set schedulerApp: { language: 'typescript' | 'python', serializer: 'native' | 'portable' }, or give the schedule a serializationType`,
      },
    ]);
  }

  /** The format a context is written in: portable if asked for, else the scheduler app's own. */
  async #contextFormat(serializationType: SerializationType | undefined, field: string): Promise<string> {
    if (serializationType === 'portable') {
      // Portable is the caller's choice, unless the app is known to read only its native format: its scheduler
      // lists every schedule in its scope each poll, and one it cannot read fails them all.
      const known = await this.#knownDialect();
      if (known && known.contextFormat !== PORTABLE) {
        throw new ValidationError([
          {
            field,
            rule: 'scheduler_format',
            message: `portable JSON cannot be read by the ${known.language} app's scheduler, which reads ${known.contextFormat}; leave serializationType unset`,
          },
        ]);
      }
      return PORTABLE;
    }
    const { language, contextFormat } = await this.#dialect();
    if (serializationType === undefined) return contextFormat;
    return language === 'python' ? PICKLE : NATIVE;
  }

  /**
   * Run IDs follow the given format, else the scheduler app's language; if that cannot be told, the schedule's own
   * context (pickle: Python) decides, then TypeScript. Ticks already run under either format are skipped anyway.
   */
  async #idFormats(given: ScheduleIdFormat | undefined): Promise<(row: ScheduleRecord) => ScheduleIdFormat> {
    const language = given ?? (await this.#knownDialect())?.language;
    return (row) => language ?? (this.#scope.codec.formatOf(row.context) === PICKLE ? 'python' : 'typescript');
  }

  #query<R extends Row>(build: (ctx: SqlContext) => Query<R>): Promise<R[]> {
    return runOn(this.#scope.connect, build);
  }

  /** Python `create_schedule`: a new ACTIVE schedule. A taken name throws `DBOSConflictingScheduleError`. */
  async createSchedule(input: ScheduleInput): Promise<void> {
    const row = await this.#row(validate(ScheduleSchema, input, 'schedule'), 'schedule');
    const inserted = await this.#query((ctx) => insertSchedulesStatement(ctx, [row], false));
    if (inserted.length === 0) throw new DBOSConflictingScheduleError(row.scheduleName);
  }

  /**
   * Python `apply_schedules`: creates or redefines every schedule given, in one statement. Existing ones keep their
   * ID, status and `last_fired_at`, so re-applying an unchanged list changes nothing.
   */
  async applySchedules(inputs: readonly ScheduleInput[]): Promise<void> {
    const list = validate(SchedulesSchema, inputs, 'schedules');
    const rows = await Promise.all(list.map((s, i) => this.#row(s, `schedules[${i}]`)));
    const names = new Set<string>();
    for (const [i, r] of rows.entries()) {
      if (names.has(r.scheduleName)) {
        throw new ValidationError([
          { field: `schedules[${i}].scheduleName`, rule: 'unique', message: `names ${r.scheduleName} twice` },
        ]);
      }
      names.add(r.scheduleName);
    }
    if (rows.length > 0) await this.#query((ctx) => insertSchedulesStatement(ctx, rows, true));
  }

  async #row(s: ReturnType<typeof validate<typeof ScheduleSchema>>, field: string): Promise<ScheduleRow> {
    const settings = { ...s.options, ...definedOnly(s) };
    const timezone = settings.cronTimezone ?? null;
    if (timezone) validateTimezone(timezone, `${field}.cronTimezone`);
    parseCron(s.schedule, timezone, `${field}.schedule`);
    const format = await this.#contextFormat(s.serializationType, `${field}.serializationType`);
    const language = format === PICKLE ? 'python' : (await this.#knownDialect())?.language;
    return {
      scheduleID: crypto.randomUUID(),
      scheduleName: s.scheduleName,
      workflowName: s.workflowName,
      // No class: the TS client stores '' and its scheduler compares that with its runs' class; a Python app's
      // scheduler looks '' up as a class name and leaves every run PENDING, so for Python it is NULL.
      workflowClassName: s.workflowClassName ?? (language === 'python' ? null : ''),
      schedule: s.schedule.trim(),
      context: await this.#scope.codec.encode(s.context ?? null, format, `${field}.context`),
      automaticBackfill: settings.automaticBackfill ?? false,
      cronTimezone: timezone,
      queueName: settings.queueName ?? null,
      applicationName: s.applicationName ?? this.#scope.applicationName ?? null,
    };
  }

  /** Python `list_schedules`: by status, workflow name and name prefix; scoped to the client's application by default. */
  async listSchedules(filter: ListSchedulesInput = {}): Promise<WorkflowSchedule[]> {
    const f = validate(ListSchedulesSchema, filter, 'filter');
    const applications =
      asList(f.applicationName) ?? (this.#scope.applicationName ? [this.#scope.applicationName] : undefined);
    const rows = await this.#query((ctx) =>
      listSchedulesStatement(ctx, {
        statuses: asList(f.status),
        workflowNames: asList(f.workflowName),
        namePrefixes: asList(f.scheduleNamePrefix),
        applications,
        startAfter: f.startAfter,
        limit: f.limit,
      }),
    );
    return Promise.all(rows.map((r) => this.#schedule(r)));
  }

  /** Python `get_schedule`: the schedule, or null. */
  async getSchedule(name: string): Promise<WorkflowSchedule | null> {
    const row = await this.#find(validateId(name, 'name'));
    return row ? this.#schedule(row) : null;
  }

  /** Python `delete_schedule`. Deleting a schedule that does not exist does nothing. */
  async deleteSchedule(name: string): Promise<void> {
    const n = validateId(name, 'name');
    await this.#query((ctx) => deleteScheduleStatement(ctx, n));
  }

  /** Python `pause_schedule`: it stops firing (in DBOS apps and in ticks) until resumed. */
  async pauseSchedule(name: string): Promise<void> {
    await this.#update(validateId(name, 'name'), { status: 'PAUSED' });
  }

  async resumeSchedule(name: string): Promise<void> {
    await this.#update(validateId(name, 'name'), { status: 'ACTIVE' });
  }

  /** TS `updateSchedule`: changes the given settings; a DBOS app's scheduler restarts the schedule with them. */
  async updateSchedule(name: string, changes: ScheduleUpdate): Promise<void> {
    const n = validateId(name, 'name');
    const u = validate(ScheduleUpdateSchema, changes, 'changes');
    if (u.cronTimezone) validateTimezone(u.cronTimezone, 'changes.cronTimezone');
    if (u.schedule !== undefined) parseCron(u.schedule, u.cronTimezone, 'changes.schedule');
    let context: string | undefined;
    if ('context' in u) {
      // Keep the context's format unless told otherwise: an app's scheduler reads only the format it expects.
      const format = u.serializationType
        ? await this.#contextFormat(u.serializationType, 'changes.serializationType')
        : this.#scope.codec.formatOf((await this.#require(n)).context);
      context = await this.#scope.codec.encode(u.context ?? null, format, 'changes.context');
    }
    await this.#update(n, {
      schedule: u.schedule?.trim(),
      context,
      automaticBackfill: u.automaticBackfill,
      cronTimezone: u.cronTimezone,
      queueName: u.queueName,
    });
  }

  async #update(name: string, changes: Parameters<typeof updateScheduleStatement>[2]): Promise<void> {
    const rows = await this.#query((ctx) => updateScheduleStatement(ctx, name, changes));
    if (rows.length === 0) throw new DBOSNonExistentScheduleError(name);
  }

  async #find(name: string): Promise<ScheduleRecord | undefined> {
    return (await this.#query((ctx) => listSchedulesStatement(ctx, { names: [name] })))[0];
  }

  async #require(name: string): Promise<ScheduleRecord> {
    const row = await this.#find(name);
    if (!row) throw new DBOSNonExistentScheduleError(name);
    return row;
  }

  /** Python `trigger_schedule`: one run now, outside the cron (ID `sched-<name>-trigger-<now>`). */
  async triggerSchedule(name: string, options: BackfillOptions = {}): Promise<string> {
    const n = validateId(name, 'name');
    const o = validate(BackfillOptionsSchema, options, 'options');
    const row = await this.#require(n);
    const now = new Date();
    const format = (await this.#idFormats(o.idFormat))(row);
    const id =
      format === 'python'
        ? `sched-${n}-trigger-${now.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00')}`
        : `sched-${n}-trigger-${now.toISOString()}`;
    const [held] = await this.#fire(row, [{ tick: now, workflowID: id, otherID: id }], null, false);
    return held?.workflowID ?? id;
  }

  /**
   * Python `backfill_schedule`: enqueues every tick strictly between `start` and `end` that has not run yet,
   * under DBOS's deterministic IDs; returns the IDs holding every tick of the window. At most 10,000 ticks.
   */
  async backfillSchedule(
    name: string,
    start: Date,
    end: Date,
    options: BackfillOptions = {},
  ): Promise<{ workflowID: string; inserted: boolean }[]> {
    const n = validateId(name, 'name');
    for (const [field, d] of [
      ['start', start],
      ['end', end],
    ] as const) {
      if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
        throw new ValidationError([{ field, rule: 'date', message: 'must be a valid Date' }]);
      }
    }
    if (end <= start)
      throw new ValidationError([{ field: 'end', rule: 'after_start', message: 'must be after start' }]);
    const o = validate(BackfillOptionsSchema, options, 'options');
    const row = await this.#require(n);
    const format = (await this.#idFormats(o.idFormat))(row);
    const ticks = this.#cron(row, format).between(start, end, MAX_BACKFILL_TICKS);
    if (ticks.length > MAX_BACKFILL_TICKS) {
      throw new ValidationError([
        {
          field: 'end',
          rule: 'max_ticks',
          message: `the window holds more than ${MAX_BACKFILL_TICKS} ticks; split it`,
        },
      ]);
    }
    return this.#fire(row, this.#runs(row, ticks, format), null, false);
  }

  /**
   * Fires every ACTIVE schedule in the client's scope: each tick due since `last_fired_at` (the newest
   * `maxCatchUp` of them), or, for a schedule never fired, from now on. `last_fired_at` only moves forward. Safe to
   * run concurrently and repeatedly; one failing schedule does not stop the others.
   */
  async runScheduleTick(options: TickOptions = {}): Promise<TickReport> {
    const o = validate(TickOptionsSchema, options, 'options');
    const now = o.now === undefined ? new Date() : new Date(o.now);
    const maxCatchUp = o.maxCatchUp ?? DEFAULT_MAX_CATCH_UP;
    const rows = await this.#query((ctx) =>
      listSchedulesStatement(ctx, {
        statuses: ['ACTIVE'],
        applications: this.#scope.applicationName ? [this.#scope.applicationName] : undefined,
      }),
    );
    const idFormat = rows.length > 0 ? await this.#idFormats(o.idFormat) : () => 'typescript' as const;
    const schedules = await Promise.all(rows.map((row) => this.#tickOne(row, now, maxCatchUp, idFormat(row))));
    return {
      now: now.toISOString(),
      fired: schedules.reduce((n, s) => n + s.fired.length, 0),
      errors: schedules.filter((s) => s.error !== undefined).length,
      schedules,
    };
  }

  async #tickOne(
    row: ScheduleRecord,
    now: Date,
    maxCatchUp: number,
    format: ScheduleIdFormat,
  ): Promise<ScheduleTickResult> {
    const result: ScheduleTickResult = {
      scheduleName: row.schedule_name,
      fired: [],
      alreadyStarted: 0,
      skipped: 0,
    };
    try {
      const last = row.last_fired_at ? new Date(row.last_fired_at) : null;
      if (last && Number.isNaN(last.getTime()))
        throw new DBOSEdgeError('CORRUPT_ROW', `last_fired_at "${row.last_fired_at}" is not a date`);
      const cron = this.#cron(row, format);
      // Never fired: start from now (recording now as the watermark), as a DBOS app does.
      const ticks = last ? cron.latest(last, now, maxCatchUp + 1) : [];
      if (last && ticks.length > maxCatchUp) {
        ticks.shift(); // one past the limit: older ticks are due too, and are left out
        result.skipped = cron.between(last, ticks[0] as Date, MAX_BACKFILL_TICKS).length;
      }
      if (last && ticks.length === 0) return result;
      const watermark = (ticks.at(-1) ?? now).toISOString();
      for (const run of await this.#fire(row, this.#runs(row, ticks, format), watermark, true)) {
        if (run.inserted) result.fired.push(run.workflowID);
        else result.alreadyStarted += 1;
      }
    } catch (e) {
      result.error = (e as Error).message;
    }
    return result;
  }

  #cron(row: ScheduleRecord, dialect: ScheduleIdFormat): CronSchedule {
    return parseCron(row.schedule, row.cron_timezone, `schedule ${row.schedule_name}`, dialect);
  }

  #runs(row: ScheduleRecord, ticks: readonly Date[], format: ScheduleIdFormat) {
    const name = row.schedule_name;
    const tz = row.cron_timezone;
    const other: ScheduleIdFormat = format === 'python' ? 'typescript' : 'python';
    return ticks.map((tick) => ({
      tick,
      workflowID: scheduledWorkflowID(name, tick, format, tz),
      otherID: scheduledWorkflowID(name, tick, other, tz),
    }));
  }

  /**
   * Enqueues the runs with `(scheduledDate, context)`, in the format the schedule's context is stored in. A pickled
   * context is read and written again as plain data (Python inputs `{"args": [...], "kwargs": {}}`); one that holds
   * more than plain data is refused rather than changed, and its Python app's own scheduler still fires it.
   */
  async #fire(
    row: ScheduleRecord,
    runs: readonly { tick: Date; workflowID: string; otherID: string }[],
    lastFiredAt: string | null,
    requireActive: boolean,
  ): Promise<{ workflowID: string; inserted: boolean }[]> {
    const name = row.schedule_name;
    const format = this.#scope.codec.formatOf(row.context);
    const context = await this.#scope.codec.decode(row.context, format, `the context of schedule ${name}`);
    const serialization = format === NATIVE || format === PICKLE ? format : PORTABLE;
    const encoded = await Promise.all(
      runs.map(async (r) => ({
        workflowID: r.workflowID,
        otherID: r.otherID,
        inputs: await this.#scope.codec.encodeArgs([r.tick, context], undefined, serialization).catch((e) => {
          if (!(e instanceof ValidationError)) throw e;
          throw new DBOSSerializationError(
            serialization,
            `schedule ${name}'s context holds more than plain data (${e.message}); only its Python app can fire it`,
          );
        }),
      })),
    );
    const rows = await this.#query((ctx) =>
      fireStatement(ctx, {
        schedule: toScheduleRow(row),
        runs: encoded,
        serialization,
        applicationName: row.application_name ?? this.#scope.applicationName ?? null,
        lastFiredAt,
        requireActive,
        creatorXid: crypto.randomUUID(),
      }),
    );
    return rows.map((run) => ({ workflowID: run.workflow_uuid, inserted: run.inserted === true }));
  }

  async #schedule(row: ScheduleRecord): Promise<WorkflowSchedule> {
    const name = row.schedule_name;
    let context: unknown;
    try {
      const format = this.#scope.codec.formatOf(row.context);
      context = await this.#scope.codec.decode(
        row.context,
        format === 'unknown' ? null : format,
        `the context of schedule ${name}`,
      );
    } catch (e) {
      if (!(e instanceof DBOSSerializationError)) throw e;
      context = e;
    }
    const schedule: WorkflowSchedule = {
      scheduleId: row.schedule_id,
      scheduleName: name,
      workflowName: row.workflow_name,
      workflowClassName: row.workflow_class_name ?? '',
      schedule: row.schedule,
      status: row.status,
      context,
      lastFiredAt: row.last_fired_at ?? null,
      automaticBackfill: row.automatic_backfill === true,
      cronTimezone: row.cron_timezone ?? null,
      queueName: row.queue_name ?? null,
    };
    if (row.application_name != null) schedule.applicationName = row.application_name;
    return schedule;
  }
}

function toScheduleRow(row: ScheduleRecord): ScheduleRow {
  return {
    scheduleID: row.schedule_id,
    scheduleName: row.schedule_name,
    workflowName: row.workflow_name,
    workflowClassName: row.workflow_class_name || null,
    schedule: row.schedule,
    context: row.context,
    automaticBackfill: row.automatic_backfill === true,
    cronTimezone: row.cron_timezone ?? null,
    queueName: row.queue_name ?? null,
    applicationName: row.application_name ?? null,
  };
}

/** The top-level settings that were given, so they override the SDK-style `options` object. */
function definedOnly(settings: { automaticBackfill?: boolean; cronTimezone?: string; queueName?: string }) {
  return Object.fromEntries(
    Object.entries({
      automaticBackfill: settings.automaticBackfill,
      cronTimezone: settings.cronTimezone,
      queueName: settings.queueName,
    }).filter(([, value]) => value !== undefined),
  ) as { automaticBackfill?: boolean; cronTimezone?: string; queueName?: string };
}
