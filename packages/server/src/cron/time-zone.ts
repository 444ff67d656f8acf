/**
 * Wall-clock arithmetic for IANA time zones on top of Intl, with one formatter per zone.
 * "Wall-clock ms" is a local date and time encoded as if it were UTC, e.g. 03:00 in New York on
 * 2027-03-14 is Date.UTC(2027, 2, 14, 3).
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    // Throws a RangeError for a zone the runtime does not know; only known zones are cached.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/**
 * True if the runtime's time zone database knows `timeZone` as a zone name. UTC offsets such as
 * `+05:30` are refused even where Intl accepts them: a job names a zone, so that it follows DST.
 */
export function isKnownTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return false;
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local date and time in `timeZone` at the instant `ms`, as wall-clock ms, to the second. */
export function wallClockMs(timeZone: string, ms: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatFor(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The zone's offset from UTC at the instant `ms`, in ms (New York in winter: -18,000,000). */
export function offsetMsAt(timeZone: string, ms: number): number {
  return wallClockMs(timeZone, ms) - Math.floor(ms / 1000) * 1000;
}
