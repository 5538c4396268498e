/**
 * `zoneinfo.ZoneInfo` offsets, from the runtime's `Intl` zone data (every JS runtime dbos-edge targets has it).
 * Python stores an aware datetime as its wall-clock time plus the zone; the UTC instant follows PEP 495: a repeated
 * wall time takes the earlier offset when `fold` is 0 and the later when 1, and a skipped one is read with the
 * offset before the gap when `fold` is 0 and after it when 1.
 */
import { DBOSSerializationError } from '../errors.ts';
import { PICKLE } from './bytes.ts';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new DBOSSerializationError(
        PICKLE,
        `the Python pickle names time zone ${zone}, which this runtime does not know`,
      );
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Throws unless the runtime knows the IANA zone. */
export function checkZoneKnown(zone: string): void {
  formatterFor(zone);
}

/** Milliseconds since the epoch of wall-clock fields read as if they were UTC. */
export function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** The zone's UTC offset in milliseconds at a UTC instant (whole seconds: what IANA zones use since 1972). */
function offsetAt(zone: string, instantMs: number): number {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) fields[part.type] = part.value;
  const year = fields.era === 'BC' ? 1 - Number(fields.year) : Number(fields.year);
  const wall = wallClockMs(
    year,
    Number(fields.month),
    Number(fields.day),
    Number(fields.hour),
    Number(fields.minute),
    Number(fields.second),
    0,
  );
  return wall - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

/** The UTC instant of a wall-clock time in `zone`. */
export function zonedInstant(zone: string, wallMs: number, fold: boolean): number {
  const before = offsetAt(zone, wallMs - DAY_MS);
  const after = offsetAt(zone, wallMs + DAY_MS);
  if (before === after) {
    const offset = offsetAt(zone, wallMs - before);
    return wallMs - offset;
  }
  const earlier = wallMs - before;
  const later = wallMs - after;
  const earlierValid = offsetAt(zone, earlier) === before;
  const laterValid = offsetAt(zone, later) === after;
  if (earlierValid && laterValid) return fold ? later : earlier;
  if (earlierValid) return earlier;
  if (laterValid) return later;
  return fold ? later : earlier;
}
