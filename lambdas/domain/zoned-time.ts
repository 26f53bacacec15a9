import type { QuietHours } from "./preferences";

/**
 * Wall-clock arithmetic in IANA time zones with `Intl`, which knows daylight saving and history.
 * Vietnam has no daylight saving, but customers abroad may be in zones that do.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Creating a formatter costs far more than using one, so each zone's formatter is built once. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalTime {
  /** "YYYY-MM-DD" */
  readonly date: string;
  /** "HH:MM" */
  readonly time: string;
  readonly hour: number;
  /** Minutes since local midnight. */
  readonly minuteOfDay: number;
}

/** Offset of the zone from UTC at an instant, in milliseconds, read from the zone's formatter. */
function formattedOffsetMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) parts[part.type] = part.value;
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * Offsets are cached per zone and quarter of an hour: formatting parts costs microseconds, and
 * evaluating an event reads local times several times. Zones change offset at most once in a
 * quarter of an hour, so a quarter whose first and last millisecond share an offset has that offset
 * throughout. A quarter that contains a transition, such as a historical offset with seconds, is not
 * cached. The cache is cleared when it grows past its bound.
 */
const OFFSET_SPAN_MS = 15 * MS_PER_MINUTE;
const OFFSET_CACHE_LIMIT = 50_000;
const offsets = new Map<string, number>();

function offsetMs(instantMs: number, timeZone: string): number {
  const span = Math.floor(instantMs / OFFSET_SPAN_MS);
  const key = `${timeZone} ${span}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const start = span * OFFSET_SPAN_MS;
  const offset = formattedOffsetMs(start, timeZone);
  if (formattedOffsetMs(start + OFFSET_SPAN_MS - 1, timeZone) !== offset) {
    return formattedOffsetMs(instantMs, timeZone);
  }
  if (offsets.size >= OFFSET_CACHE_LIMIT) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

const twoDigits = (value: number) => String(value).padStart(2, "0");

export function toLocalTime(instantMs: number, timeZone: string): LocalTime {
  const wall = new Date(instantMs + offsetMs(instantMs, timeZone));
  const hour = wall.getUTCHours();
  const minute = wall.getUTCMinutes();
  return {
    date: `${String(wall.getUTCFullYear()).padStart(4, "0")}-${twoDigits(wall.getUTCMonth() + 1)}-${twoDigits(wall.getUTCDate())}`,
    time: `${twoDigits(hour)}:${twoDigits(minute)}`,
    hour,
    minuteOfDay: hour * 60 + minute,
  };
}

/** Offset of the zone from UTC at an instant, in minutes (420 for Asia/Ho_Chi_Minh). */
export function offsetMinutes(instantMs: number, timeZone: string): number {
  return Math.round(offsetMs(instantMs, timeZone) / MS_PER_MINUTE);
}

/**
 * The instant of a local date and time in a zone. A time that does not exist because the clock
 * jumps forward (a daylight-saving gap) resolves to the same wall time after the jump.
 */
export function instantOfLocal(date: string, time: string, timeZone: string): number {
  const wallAsUtc = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
    Number(time.slice(0, 2)),
    Number(time.slice(3, 5)),
  );
  // The offsets a day before and after bound the ones in force around the wall time.
  const offsetBefore = offsetMinutes(wallAsUtc - MS_PER_DAY, timeZone);
  const offsetAfter = offsetMinutes(wallAsUtc + MS_PER_DAY, timeZone);
  const candidates = [wallAsUtc - offsetBefore * MS_PER_MINUTE, wallAsUtc - offsetAfter * MS_PER_MINUTE];
  const matching = candidates.filter((instant) => {
    const local = toLocalTime(instant, timeZone);
    return local.date === date && local.time === time.slice(0, 5);
  });
  // A repeated wall time (clocks turned back) takes its first occurrence; a skipped one (clocks
  // turned forward) is read with the offset before the jump, which lands the same wall time after it.
  return matching.length > 0 ? Math.min(...matching) : (candidates[0] as number);
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** True when the instant falls in the customer's quiet hours, which may span midnight. */
export function isInQuietHours(instantMs: number, quietHours: QuietHours | null, timeZone: string): boolean {
  if (!quietHours) return false;
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  if (start === end) return false;
  const minute = toLocalTime(instantMs, timeZone).minuteOfDay;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first instant after `instantMs` at which the quiet hours end, in the customer's zone. */
export function endOfQuietHours(instantMs: number, quietHours: QuietHours, timeZone: string): number {
  const { date } = toLocalTime(instantMs, timeZone);
  const today = instantOfLocal(date, quietHours.end, timeZone);
  if (today > instantMs) return today;
  const tomorrow = new Date(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1),
  )
    .toISOString()
    .slice(0, 10);
  return instantOfLocal(tomorrow, quietHours.end, timeZone);
}
