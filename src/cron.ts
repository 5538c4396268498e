/**
 * Cron for schedules, on croner, in DBOS's dialect: 5 fields, or 6 with seconds first, plus nicknames
 * (`@daily`, `@hourly`, ...), evaluated in an IANA timezone (UTC when none is given).
 *
 * The SDKs differ in one rule: when both day-of-month and day-of-week are restricted, the TypeScript scheduler
 * fires on days matching both, Python's croniter on days matching either (classic cron). The dialect follows the
 * SDK whose IDs are written, so both fire the same ticks.
 */
import { Cron } from 'croner';
import { ValidationError } from './errors.ts';

export interface CronSchedule {
  /** The ticks strictly after `after` and strictly before `before`, oldest first; stops after `limit` + 1. */
  between(after: Date, before: Date, limit: number): Date[];
  /** The latest `n` ticks strictly after `after` and at or before `atOrBefore`, oldest first. */
  latest(after: Date | null, atOrBefore: Date, n: number): Date[];
}

/** Validates an IANA timezone name; `field` names it in the error. */
export function validateTimezone(timezone: string, field: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    throw new ValidationError([{ field, rule: 'timezone', message: `"${timezone}" is not an IANA timezone` }]);
  }
}

export type ScheduleIdFormat = 'typescript' | 'python';

/** Parses a DBOS cron expression, throwing a ValidationError that says what is wrong with it. */
export function parseCron(
  expression: string,
  timezone: string | null | undefined,
  field = 'schedule',
  dialect: ScheduleIdFormat = 'typescript',
): CronSchedule {
  const text = expression.trim();
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && fields !== 5 && fields !== 6) {
    throw new ValidationError([
      {
        field,
        rule: 'cron',
        message: `has ${fields} fields; use 5, or 6 with seconds first (or a nickname like @daily)`,
      },
    ]);
  }
  if (timezone) validateTimezone(timezone, 'cronTimezone');
  let cron: Cron;
  try {
    cron = new Cron(text, { timezone: timezone ?? 'UTC', paused: true, domAndDow: dialect === 'typescript' });
  } catch (e) {
    throw new ValidationError([
      { field, rule: 'cron', message: `is not a valid cron expression: ${(e as Error).message}` },
    ]);
  }
  return {
    between(after, before, limit) {
      const out: Date[] = [];
      let next = cron.nextRun(after);
      while (next && next < before && out.length <= limit) {
        out.push(next);
        next = cron.nextRun(next);
      }
      return out;
    },
    latest(after, atOrBefore, n) {
      // croner walks backwards from a reference it excludes: one millisecond on includes a tick at atOrBefore.
      const recent = cron.previousRuns(n, new Date(atOrBefore.getTime() + 1));
      return recent.filter((t) => after === null || t > after).reverse();
    },
  };
}

/**
 * Python's `datetime.isoformat()` of a tick in the cron timezone, as the Python scheduler puts it in workflow IDs:
 * `2026-08-21T12:00:00+02:00` (microseconds only when not zero).
 */
export function pythonIsoformat(date: Date, timezone: string | null | undefined): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone ?? 'UTC',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  const offset = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const sign = offset < 0 ? '-' : '+';
  const ms = date.getTime() % 1000;
  return (
    `${part('year')}-${pad(part('month'))}-${pad(part('day'))}T${pad(part('hour'))}:${pad(part('minute'))}:${pad(part('second'))}` +
    (ms ? `.${pad(ms * 1000, 6)}` : '') +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** The deterministic workflow ID of a scheduled tick, as each SDK's scheduler and backfill make it. */
export function scheduledWorkflowID(
  scheduleName: string,
  tick: Date,
  format: ScheduleIdFormat,
  timezone: string | null | undefined,
): string {
  return format === 'python'
    ? `sched-${scheduleName}-${pythonIsoformat(tick, timezone)}`
    : `sched-${scheduleName}-${tick.toISOString()}`;
}
