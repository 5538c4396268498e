/**
 * Tick enumeration on croner, checked against the DBOS SDK's own scheduler (its TimeMatcher, walked the way its
 * backfill walks it) across DST changes, month ends and 6-field second schedules; and the Python ID format.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseCron, pythonIsoformat, scheduledWorkflowID, validateTimezone } from '../../src/cron.ts';
import { ValidationError } from '../../src/errors.ts';
import { issuesOf } from '../helpers/validation.ts';

const { TimeMatcher } = createRequire(import.meta.url)(
  '../../node_modules/@dbos-inc/dbos-sdk/dist/src/scheduler/crontab.js',
) as {
  TimeMatcher: new (
    pattern: string,
    tz?: string,
  ) => { match(d: Date | number): boolean; nextWakeupTime(d: Date | number): Date };
};

/** The SDK's backfill loop: every tick strictly between start and end. */
function sdkTicks(pattern: string, tz: string | undefined, start: Date, end: Date): string[] {
  const m = new TimeMatcher(pattern, tz);
  const out: string[] = [];
  let current = start.getTime();
  while (current < end.getTime()) {
    const next = m.nextWakeupTime(current);
    if (!m.match(next)) {
      current = next.getTime();
      continue;
    }
    if (next.getTime() >= end.getTime()) break;
    out.push(next.toISOString());
    current = next.getTime();
  }
  return out;
}

const ours = (pattern: string, tz: string | undefined, start: Date, end: Date) =>
  parseCron(pattern, tz)
    .between(start, end, 100_000)
    .map((d) => d.toISOString());

describe('ticks match the DBOS SDK scheduler', () => {
  it.each([
    // DST in Europe: spring forward 2026-03-29 02:00 → 03:00, fall back 2026-10-25 03:00 → 02:00.
    [
      'every 30 min around spring forward',
      '*/30 * * * *',
      'Europe/Berlin',
      '2026-03-28T22:00:00Z',
      '2026-03-29T04:00:00Z',
    ],
    ['every 30 min around fall back', '*/30 * * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T04:00:00Z'],
    ['daily 03:30 across both changes', '30 3 * * *', 'Europe/Berlin', '2026-03-20T00:00:00Z', '2026-11-05T00:00:00Z'],
    [
      'New York 09:00 weekdays across March',
      '0 9 * * 1-5',
      'America/New_York',
      '2026-03-01T00:00:00Z',
      '2026-04-01T00:00:00Z',
    ],
    ['the 31st: only months that have one', '0 12 31 * *', 'UTC', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['the 29th of February in a leap year', '0 0 29 2 *', undefined, '2027-01-01T00:00:00Z', '2029-01-01T00:00:00Z'],
    [
      '6 fields, seconds first: every 15 s',
      '*/15 * * * * *',
      undefined,
      '2026-05-31T23:59:00Z',
      '2026-06-01T00:01:00Z',
    ],
    [
      '6 fields with a named month and weekday',
      '0 0 6 * JAN MON',
      'Asia/Tokyo',
      '2026-01-01T00:00:00Z',
      '2027-02-01T00:00:00Z',
    ],
    ['nickname @daily in a timezone', '@daily', 'Australia/Sydney', '2026-03-30T00:00:00Z', '2026-04-10T00:00:00Z'],
    ['nickname @hourly', '@hourly', undefined, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
    ['day of month and weekday both restricted', '0 8 1 * MON', 'UTC', '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z'],
  ])('%s', (_label, pattern, tz, start, end) => {
    const expected = sdkTicks(pattern, tz, new Date(start), new Date(end));
    expect(expected.length).toBeGreaterThan(0);
    expect(ours(pattern, tz, new Date(start), new Date(end))).toEqual(expected);
  });

  it('follows Python (either day matches) when writing Python IDs', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const end = new Date('2026-01-15T00:00:00Z');
    const days = parseCron('0 8 1 * MON', 'UTC', 'schedule', 'python')
      .between(start, end, 100)
      .map((d) => d.toISOString().slice(0, 10));
    expect(days).toEqual(['2026-01-01', '2026-01-05', '2026-01-12']);
  });

  it('latest() returns the newest ticks, oldest first, inclusive of now and exclusive of the last fire', () => {
    const cron = parseCron('*/10 * * * * *', null);
    const now = new Date('2026-01-01T00:01:00.000Z');
    expect(cron.latest(new Date('2026-01-01T00:00:30Z'), now, 10).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:00:50.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
    expect(cron.latest(null, now, 2).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:50.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });
});

describe('validation', () => {
  it.each([
    ['too few fields', '* * *', /3 fields/],
    ['too many fields', '* * * * * * *', /7 fields/],
    ['a value out of range', '61 * * * *', /minute/],
    ['an unknown nickname', '@fortnightly', /not a valid cron/],
  ])('rejects %s, naming the field', (_label, pattern, message) => {
    const err = (() => {
      try {
        parseCron(pattern, null);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err?.issues[0]).toMatchObject({ field: 'schedule', rule: 'cron' });
    expect(err?.issues[0]?.message).toMatch(message);
  });

  it('rejects an unknown timezone', () => {
    expect(() => parseCron('* * * * *', 'Mars/Olympus')).toThrow(/not an IANA timezone/);
  });
});

describe('workflow IDs', () => {
  it('formats ticks as each SDK does', () => {
    const tick = new Date('2026-08-21T10:00:00.000Z');
    expect(scheduledWorkflowID('nightly', tick, 'typescript', 'Europe/Berlin')).toBe(
      'sched-nightly-2026-08-21T10:00:00.000Z',
    );
    // Python: f"sched-{name}-{t.isoformat()}" with t in the cron timezone.
    expect(scheduledWorkflowID('nightly', tick, 'python', null)).toBe('sched-nightly-2026-08-21T10:00:00+00:00');
    expect(scheduledWorkflowID('nightly', tick, 'python', 'Europe/Berlin')).toBe(
      'sched-nightly-2026-08-21T12:00:00+02:00',
    );
  });

  it('follows the UTC offset across DST and in negative and half-hour zones', () => {
    expect(pythonIsoformat(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('2026-01-15T13:00:00+01:00');
    expect(pythonIsoformat(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe('2026-07-15T08:00:00-04:00');
    expect(pythonIsoformat(new Date('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe('2026-07-15T17:30:00+05:30');
    expect(pythonIsoformat(new Date('2026-07-15T12:00:00.250Z'), 'UTC')).toBe('2026-07-15T12:00:00.250000+00:00');
  });
});

describe('window bounds', () => {
  const everyMinute = parseCron('* * * * *', null);
  const at = (time: string) => new Date(`2026-01-01T${time}Z`);
  const iso = (dates: Date[]) => dates.map((d) => d.toISOString().slice(11, 19));

  it('between() excludes both ends', () => {
    expect(iso(everyMinute.between(at('00:00:00'), at('00:03:00'), 100))).toEqual(['00:01:00', '00:02:00']);
    expect(iso(everyMinute.between(at('00:00:30'), at('00:03:00.001'), 100))).toEqual([
      '00:01:00',
      '00:02:00',
      '00:03:00',
    ]);
  });

  it('between() stops after limit + 1 ticks, so a caller can tell that more were due', () => {
    expect(iso(everyMinute.between(at('00:00:00'), at('01:00:00'), 2))).toEqual(['00:01:00', '00:02:00', '00:03:00']);
    expect(everyMinute.between(at('00:00:00'), at('01:00:00'), 0)).toHaveLength(1);
  });

  it('latest() excludes a tick at the last fire itself', () => {
    expect(iso(everyMinute.latest(at('00:02:00'), at('00:04:00'), 10))).toEqual(['00:03:00', '00:04:00']);
  });

  it('trims the expression and reads runs of spaces as one separator', () => {
    expect(iso(parseCron('  */30   * * * *\t', undefined).between(at('00:00:00'), at('01:00:01'), 10))).toEqual([
      '00:30:00',
      '01:00:00',
    ]);
  });

  it('evaluates in UTC when the timezone is null, undefined or empty', () => {
    for (const timezone of [null, undefined, '']) {
      expect(iso(parseCron('0 9 * * *', timezone).between(at('00:00:00'), at('23:59:59'), 10))).toEqual(['09:00:00']);
    }
  });
});

describe('validation: exact errors', () => {
  it('names the field it is given, with the count of fields', () => {
    expect(issuesOf(() => parseCron('* * *', null, 'options.schedule'))).toEqual([
      {
        field: 'options.schedule',
        rule: 'cron',
        message: 'has 3 fields; use 5, or 6 with seconds first (or a nickname like @daily)',
      },
    ]);
  });

  it("passes on croner's reason for a value it refuses", () => {
    expect(issuesOf(() => parseCron('61 * * * *', null, 'changes.schedule'))).toEqual([
      {
        field: 'changes.schedule',
        rule: 'cron',
        message: 'is not a valid cron expression: CronPattern: Invalid value for minute: 61',
      },
    ]);
  });

  it('validateTimezone returns a known zone and names the field of an unknown one', () => {
    expect(validateTimezone('America/Argentina/Buenos_Aires', 'tz')).toBe('America/Argentina/Buenos_Aires');
    expect(issuesOf(() => validateTimezone('Mars/Olympus', 'options.cronTimezone'))).toEqual([
      { field: 'options.cronTimezone', rule: 'timezone', message: '"Mars/Olympus" is not an IANA timezone' },
    ]);
  });
});
