import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { parseSchedule } from './schedule.js';
import { offsetMsAt } from './time-zone.js';

/** Fires in (fromIso, toIso], as ISO strings. */
function firesBetween(cron: string, timezone: string, fromIso: string, toIso: string): string[] {
  return firesIn(cron, timezone, Date.parse(fromIso), Date.parse(toIso)).map((ms) =>
    new Date(ms).toISOString(),
  );
}

function firesIn(cron: string, timezone: string, fromMs: number, toMs: number): number[] {
  const schedule = parseSchedule(cron, timezone);
  const out: number[] = [];
  for (let at = schedule.nextAfter(fromMs); at !== null && at <= toMs; at = schedule.nextAfter(at))
    out.push(at);
  return out;
}

describe('America/New_York, spring forward on 2027-03-14 (02:00 EST becomes 03:00 EDT at 07:00Z)', () => {
  it('fires a fixed time inside the gap at the first instant after it', () => {
    const nextDay = '2027-03-15T06:30:00.000Z';
    expect(firesBetween('30 2 * * *', 'America/New_York', '2027-03-13T12:00:00Z', nextDay)).toEqual([
      '2027-03-14T07:00:00.000Z',
      nextDay,
    ]);
    for (const cron of ['0 2 * * *', '59 2 * * *', '0 2 14 3 *', '15 30 2 * * *']) {
      expect(firesBetween(cron, 'America/New_York', '2027-03-14T00:00:00Z', '2027-03-14T12:00:00Z')).toEqual([
        '2027-03-14T07:00:00.000Z',
      ]);
    }
  });

  it('treats lists and ranges as fixed times, firing once where several meet after the gap', () => {
    expect(
      firesBetween('30 2,14 * * *', 'America/New_York', '2027-03-14T00:00:00Z', '2027-03-15T00:00:00Z'),
    ).toEqual(['2027-03-14T07:00:00.000Z', '2027-03-14T18:30:00.000Z']);
    // 01:00 and 01:30 EST, then 02:00, 02:30 and 03:00 all at 03:00 EDT, then 03:30 EDT.
    expect(
      firesBetween('0,30 1-3 * * *', 'America/New_York', '2027-03-14T05:00:00Z', '2027-03-14T09:00:00Z'),
    ).toEqual([
      '2027-03-14T06:00:00.000Z',
      '2027-03-14T06:30:00.000Z',
      '2027-03-14T07:00:00.000Z',
      '2027-03-14T07:30:00.000Z',
    ]);
  });

  it('skips wildcard and step times inside the gap', () => {
    expect(
      firesBetween('*/15 * * * *', 'America/New_York', '2027-03-14T06:30:00Z', '2027-03-14T07:30:00Z'),
    ).toEqual([
      '2027-03-14T06:45:00.000Z',
      '2027-03-14T07:00:00.000Z',
      '2027-03-14T07:15:00.000Z',
      '2027-03-14T07:30:00.000Z',
    ]);
    // 01:10 EST, (02:10 does not exist), 03:10 EDT, 04:10 EDT.
    expect(
      firesBetween('10 * * * *', 'America/New_York', '2027-03-14T05:30:00Z', '2027-03-14T09:00:00Z'),
    ).toEqual(['2027-03-14T06:10:00.000Z', '2027-03-14T07:10:00.000Z', '2027-03-14T08:10:00.000Z']);
    // A wildcard minute makes the whole hour an interval, as in Vixie cron: nothing fires that day.
    expect(
      firesBetween('*/20 2 * * *', 'America/New_York', '2027-03-13T12:00:00Z', '2027-03-15T12:00:00Z'),
    ).toEqual(['2027-03-15T06:00:00.000Z', '2027-03-15T06:20:00.000Z', '2027-03-15T06:40:00.000Z']);
  });
});

describe('America/New_York, fall back on 2027-11-07 (02:00 EDT becomes 01:00 EST at 06:00Z)', () => {
  it('fires a fixed time in the repeated hour once, at the first occurrence', () => {
    expect(
      firesBetween('30 1 * * *', 'America/New_York', '2027-11-06T12:00:00Z', '2027-11-08T12:00:00Z'),
    ).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
    // From inside the repeated hour, before 01:30 comes round the second time.
    const schedule = parseSchedule('30 1 * * *', 'America/New_York');
    expect(schedule.nextAfter(Date.parse('2027-11-07T06:15:00Z'))).toBe(Date.parse('2027-11-08T06:30:00Z'));
    expect(
      firesBetween('30 1-2 * * *', 'America/New_York', '2027-11-07T04:00:00Z', '2027-11-07T08:00:00Z'),
    ).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-07T07:30:00.000Z']);
  });

  it('fires wildcard and step times in both occurrences', () => {
    expect(
      firesBetween('0 * * * *', 'America/New_York', '2027-11-07T04:00:00Z', '2027-11-07T08:00:00Z'),
    ).toEqual([
      '2027-11-07T05:00:00.000Z',
      '2027-11-07T06:00:00.000Z',
      '2027-11-07T07:00:00.000Z',
      '2027-11-07T08:00:00.000Z',
    ]);
    expect(
      firesBetween('*/15 * * * *', 'America/New_York', '2027-11-07T05:30:00Z', '2027-11-07T06:30:00Z'),
    ).toEqual([
      '2027-11-07T05:45:00.000Z',
      '2027-11-07T06:00:00.000Z',
      '2027-11-07T06:15:00.000Z',
      '2027-11-07T06:30:00.000Z',
    ]);
    const bothPasses = [
      '2027-11-07T05:00:00.000Z',
      '2027-11-07T05:20:00.000Z',
      '2027-11-07T05:40:00.000Z',
      '2027-11-07T06:00:00.000Z',
      '2027-11-07T06:20:00.000Z',
      '2027-11-07T06:40:00.000Z',
    ];
    expect(
      firesBetween('*/20 1 * * *', 'America/New_York', '2027-11-07T04:00:00Z', '2027-11-07T08:00:00Z'),
    ).toEqual(bothPasses);
    expect(
      firesBetween('0-59/20 1 * * *', 'America/New_York', '2027-11-07T04:00:00Z', '2027-11-07T08:00:00Z'),
    ).toEqual(bothPasses);
    expect(
      firesBetween('*/30 0 1 * * *', 'America/New_York', '2027-11-07T04:00:00Z', '2027-11-07T08:00:00Z'),
    ).toEqual([
      '2027-11-07T05:00:00.000Z',
      '2027-11-07T05:00:30.000Z',
      '2027-11-07T06:00:00.000Z',
      '2027-11-07T06:00:30.000Z',
    ]);
  });
});

describe('Europe/Berlin', () => {
  it('spring forward on 2027-03-28 (02:00 CET becomes 03:00 CEST at 01:00Z)', () => {
    expect(
      firesBetween('30 2 * * *', 'Europe/Berlin', '2027-03-27T12:00:00Z', '2027-03-29T12:00:00Z'),
    ).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
    // 01:30 CET, then 03:00 and 03:30 CEST.
    expect(
      firesBetween('*/30 * * * *', 'Europe/Berlin', '2027-03-28T00:00:00Z', '2027-03-28T01:30:00Z'),
    ).toEqual(['2027-03-28T00:30:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-28T01:30:00.000Z']);
  });

  it('fall back on 2027-10-31 (03:00 CEST becomes 02:00 CET at 01:00Z)', () => {
    expect(
      firesBetween('30 2 * * *', 'Europe/Berlin', '2027-10-30T12:00:00Z', '2027-11-01T12:00:00Z'),
    ).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
    expect(
      firesBetween('0 2 * * SUN', 'Europe/Berlin', '2027-10-30T12:00:00Z', '2027-11-08T00:00:00Z'),
    ).toEqual(['2027-10-31T00:00:00.000Z', '2027-11-07T01:00:00.000Z']);
    // 02:00 and 02:30 CEST, then 02:00 and 02:30 CET, then 03:00 CET.
    expect(
      firesBetween('*/30 * * * *', 'Europe/Berlin', '2027-10-30T23:30:00Z', '2027-10-31T02:00:00Z'),
    ).toEqual([
      '2027-10-31T00:00:00.000Z',
      '2027-10-31T00:30:00.000Z',
      '2027-10-31T01:00:00.000Z',
      '2027-10-31T01:30:00.000Z',
      '2027-10-31T02:00:00.000Z',
    ]);
  });
});

describe('Australia/Sydney (southern hemisphere)', () => {
  it('spring forward on 2027-10-03 (02:00 AEST becomes 03:00 AEDT at 16:00Z the day before)', () => {
    expect(
      firesBetween('30 2 * * *', 'Australia/Sydney', '2027-10-02T00:00:00Z', '2027-10-03T23:00:00Z'),
    ).toEqual(['2027-10-02T16:00:00.000Z', '2027-10-03T15:30:00.000Z']);
    expect(
      firesBetween('*/30 * * * *', 'Australia/Sydney', '2027-10-02T15:00:00Z', '2027-10-02T16:30:00Z'),
    ).toEqual(['2027-10-02T15:30:00.000Z', '2027-10-02T16:00:00.000Z', '2027-10-02T16:30:00.000Z']);
  });

  it('fall back on 2027-04-04 (03:00 AEDT becomes 02:00 AEST at 16:00Z the day before)', () => {
    expect(
      firesBetween('30 2 * * *', 'Australia/Sydney', '2027-04-03T00:00:00Z', '2027-04-04T23:00:00Z'),
    ).toEqual(['2027-04-03T15:30:00.000Z', '2027-04-04T16:30:00.000Z']);
    expect(
      firesBetween('*/30 * * * *', 'Australia/Sydney', '2027-04-03T14:30:00Z', '2027-04-03T17:00:00Z'),
    ).toEqual([
      '2027-04-03T15:00:00.000Z',
      '2027-04-03T15:30:00.000Z',
      '2027-04-03T16:00:00.000Z',
      '2027-04-03T16:30:00.000Z',
      '2027-04-03T17:00:00.000Z',
    ]);
  });
});

describe('Australia/Lord_Howe (half-hour DST)', () => {
  it('spring forward on 2027-10-03 (02:00 becomes 02:30 at 15:30Z the day before)', () => {
    expect(
      firesBetween('15 2 * * *', 'Australia/Lord_Howe', '2027-10-02T12:00:00Z', '2027-10-02T18:00:00Z'),
    ).toEqual(['2027-10-02T15:30:00.000Z']);
  });

  it('fall back on 2027-04-04 (02:00 becomes 01:30 at 15:00Z the day before)', () => {
    expect(
      firesBetween('45 1 * * *', 'Australia/Lord_Howe', '2027-04-03T12:00:00Z', '2027-04-03T18:00:00Z'),
    ).toEqual(['2027-04-03T14:45:00.000Z']);
    expect(
      firesBetween('*/15 * * * *', 'Australia/Lord_Howe', '2027-04-03T14:15:00Z', '2027-04-03T15:30:00Z'),
    ).toEqual([
      '2027-04-03T14:30:00.000Z',
      '2027-04-03T14:45:00.000Z',
      '2027-04-03T15:00:00.000Z',
      '2027-04-03T15:15:00.000Z',
      '2027-04-03T15:30:00.000Z',
    ]);
  });
});

describe('Asia/Shanghai (no DST)', () => {
  it('fires at the same UTC time across other zones’ DST changes', () => {
    for (const [from, to] of [
      ['2027-03-12T00:00:00Z', '2027-03-16T00:00:00Z'],
      ['2027-11-05T00:00:00Z', '2027-11-09T00:00:00Z'],
    ] as const) {
      const fires = firesBetween('30 2 * * *', 'Asia/Shanghai', from, to);
      expect(fires).toHaveLength(4);
      for (const fire of fires) expect(fire.slice(10)).toBe('T18:30:00.000Z');
    }
    expect(
      firesIn(
        '*/30 * * * *',
        'Asia/Shanghai',
        Date.parse('2027-03-13T16:00:00Z'),
        Date.parse('2027-03-14T16:00:00Z'),
      ),
    ).toHaveLength(48);
  });
});

describe('America/Nuuk (gap across midnight: Saturday 23:00 -02 becomes Sunday 00:00 -01)', () => {
  // Croner only fires a skipped fixed time if the gap ends on the same local day; Vixie cron fires it
  // at the first instant after the gap whatever the day, so schedule.ts adds these fires.
  it('fires a fixed time skipped on Saturday at 00:00 on Sunday', () => {
    expect(
      firesBetween('30 23 * * *', 'America/Nuuk', '2027-03-26T12:00:00Z', '2027-03-29T12:00:00Z'),
    ).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
    // The day of the week is the skipped time's, as in Vixie cron.
    expect(
      firesBetween('30 23 * * SAT', 'America/Nuuk', '2027-03-21T12:00:00Z', '2027-04-05T00:00:00Z'),
    ).toEqual(['2027-03-28T01:00:00.000Z', '2027-04-04T00:30:00.000Z']);
    // Saturday 23:00 and 23:30 meet Sunday 00:00 after the gap: one fire.
    expect(
      firesBetween('0,30 0,23 * * *', 'America/Nuuk', '2027-03-27T12:00:00Z', '2027-03-28T02:00:00Z'),
    ).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-28T01:30:00.000Z']);
  });

  it('still skips wildcard times in that gap', () => {
    expect(
      firesBetween('*/30 23 * * *', 'America/Nuuk', '2027-03-27T12:00:00Z', '2027-03-29T12:00:00Z'),
    ).toEqual(['2027-03-29T00:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('fires a fixed time once in the hour repeated on Saturday 2027-10-30', () => {
    expect(
      firesBetween('30 23 * * *', 'America/Nuuk', '2027-10-30T12:00:00Z', '2027-11-01T12:00:00Z'),
    ).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });
});

/**
 * Vixie cron's main loop (cron.c), replayed one tick (a minute, or a second for 6 fields) at a time
 * over real time: it tracks the local wall-clock tick it expects next; when local time jumps forward
 * it runs wildcard jobs for the current tick and fixed-time jobs for every tick skipped; when it jumps
 * back it runs only wildcard jobs until local time catches up. Matching is croner's, read in UTC, so
 * the only DST logic here is Vixie's.
 */
function vixieFires(cron: string, timezone: string, fromMs: number, toMs: number): number[] {
  const fields = cron.split(' ');
  const tickMs = fields.length === 6 ? 1000 : 60_000;
  const timeFields = fields.slice(0, fields.length === 6 ? 3 : 2);
  const wild = timeFields.some((field) => field.includes('*') || field.includes('/'));
  const wallClock = new Cron(cron, { timezone: 'UTC', paused: true, mode: '5-or-6-parts' });
  const matches = (tick: number) => wallClock.match(new Date(tick * tickMs));
  const fires: number[] = [];
  let expected: number | undefined;
  for (let at = Math.ceil(fromMs / tickMs) * tickMs; at <= toMs; at += tickMs) {
    const tick = (at + offsetMsAt(timezone, at)) / tickMs;
    expected ??= tick;
    let fire = false;
    if (tick === expected) {
      fire = matches(tick);
      expected = tick + 1;
    } else if (tick > expected) {
      fire = wild && matches(tick);
      for (let skipped = expected; !wild && !fire && skipped <= tick; skipped++) fire = matches(skipped);
      expected = tick + 1;
    } else {
      fire = wild && matches(tick);
    }
    if (fire && at > fromMs) fires.push(at);
  }
  return fires;
}

describe('against a replay of Vixie cron', () => {
  const transitions: [string, string][] = [
    ['America/New_York', '2027-03-14T07:00:00Z'],
    ['America/New_York', '2027-11-07T06:00:00Z'],
    ['Europe/Berlin', '2027-03-28T01:00:00Z'],
    ['Europe/Berlin', '2027-10-31T01:00:00Z'],
    ['Australia/Sydney', '2027-10-02T16:00:00Z'],
    ['Australia/Sydney', '2027-04-03T16:00:00Z'],
    ['Australia/Lord_Howe', '2027-10-02T15:30:00Z'],
    ['Australia/Lord_Howe', '2027-04-03T15:00:00Z'],
    ['America/Nuuk', '2027-03-28T01:00:00Z'],
    ['America/Nuuk', '2027-10-31T01:00:00Z'],
    ['America/Santiago', '2027-09-05T04:00:00Z'],
    ['America/Santiago', '2027-04-04T03:00:00Z'],
    ['Antarctica/Troll', '2027-03-28T01:00:00Z'],
    ['Antarctica/Troll', '2027-10-31T01:00:00Z'],
  ];
  const minuteCrons = [
    '30 2 * * *',
    '30 1 * * *',
    '30 23 * * *',
    '30 0 * * *',
    '0,30 1-3 * * *',
    '*/15 * * * *',
    '0 * * * *',
    '10 * * * *',
    '*/20 2 * * *',
    '0-59/20 1 * * *',
    '30 */2 * * *',
    '0 0 * * SUN',
  ];
  const secondCrons = ['15 30 2 * * *', '*/20 30 1 * * *', '0 */10 * * * *'];

  it.each(transitions)('%s around %s', (timezone, changeIso) => {
    const change = Date.parse(changeIso);
    // Each instant given must be a real change of offset, or the test proves nothing.
    expect(offsetMsAt(timezone, change - 1000)).not.toBe(offsetMsAt(timezone, change));
    for (const cron of minuteCrons) {
      const [from, to] = [change - 26 * 3_600_000, change + 26 * 3_600_000];
      expect(firesIn(cron, timezone, from, to), cron).toEqual(vixieFires(cron, timezone, from, to));
    }
    for (const cron of secondCrons) {
      const [from, to] = [change - 3_600_000, change + 3_600_000];
      expect(firesIn(cron, timezone, from, to), cron).toEqual(vixieFires(cron, timezone, from, to));
    }
  });
});
