import { cronError } from './schedule-error.js';

/**
 * Checks the syntax of each field of a cron expression before croner parses it, so that a mistake is
 * reported in cron's own terms ("day-of-month value 32 is out of range 1-31") and anything outside
 * PROTOCOL.md §4 (`?`, croner's `+` AND modifier, Quartz's bare `L` weekday) is refused.
 * Croner still parses the expression afterwards and has the last word on what it accepts.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** The largest step croner accepts: the number of distinct values. */
  readonly maxStep: number;
  readonly names?: Readonly<Record<string, number>>;
  readonly nameHint?: string;
}

const MONTH_NAMES: Readonly<Record<string, number>> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

const DAY_NAMES: Readonly<Record<string, number>> = {
  SUN: 0,
  MON: 1,
  TUE: 2,
  WED: 3,
  THU: 4,
  FRI: 5,
  SAT: 6,
};

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, maxStep: 60 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, maxStep: 60 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, maxStep: 24 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, maxStep: 31 };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  maxStep: 12,
  names: MONTH_NAMES,
  nameHint: 'JAN-DEC',
};
// 0 and 7 are both Sunday, as in Vixie cron.
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  maxStep: 7,
  names: DAY_NAMES,
  nameHint: 'SUN-SAT',
};

const FIVE_FIELDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;
const SIX_FIELDS = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;

const DIGITS = /^\d+$/;

/**
 * Throws a ScheduleError (field `schedule.cron`) naming the first field that is wrong.
 * `fields` are the expression's whitespace-separated fields; there must be 5 or 6 of them.
 */
export function checkCronFields(fields: readonly string[]): void {
  const first = fields[0];
  if (first?.startsWith('@')) {
    throw cronError(`nicknames such as "${first}" are not supported; write 5 or 6 fields, e.g. "0 0 * * *"`);
  }
  if (fields.length !== 5 && fields.length !== 6) {
    throw cronError(`expected 5 or 6 fields, got ${fields.length}`);
  }
  const specs = fields.length === 5 ? FIVE_FIELDS : SIX_FIELDS;
  fields.forEach((field, i) => {
    checkField(field, specs[i]!);
  });
}

/**
 * True if the expression names fixed times only: no wildcard and no step in its second (6 fields),
 * minute and hour fields. Vixie cron runs such a job once when DST repeats an hour and after the gap
 * when DST skips one; it runs other jobs at every occurrence of a matching local time, and skips
 * local times that do not exist. Matches croner's `fixedTimeRule: 'no-wildcard'`.
 */
export function isFixedTime(fields: readonly string[]): boolean {
  const timeFields = fields.length === 6 ? fields.slice(0, 3) : fields.slice(0, 2);
  return !timeFields.some((field) => field.includes('*') || field.includes('/'));
}

function checkField(field: string, spec: FieldSpec): void {
  if (field.includes('?')) throw cronError(`${spec.name} "?" is not supported; use "*"`);
  if (spec === DAY_OF_WEEK && field.startsWith('+')) {
    throw cronError(
      `day-of-week "${field}": "+" (day-of-month AND day-of-week) is not supported; the two combine with OR`,
    );
  }
  for (const item of field.split(',')) {
    if (item === '') throw cronError(`${spec.name} "${field}" has an empty list item`);
    checkItem(item, spec);
  }
}

function checkItem(item: string, spec: FieldSpec): void {
  if (spec === DAY_OF_MONTH && /[LW]/i.test(item)) {
    checkDayOfMonthModifier(item);
    return;
  }
  if (spec === DAY_OF_WEEK && (item.includes('#') || /^[^-/]*L$/i.test(item))) {
    checkDayOfWeekModifier(item);
    return;
  }
  const parts = item.split('/');
  if (parts.length > 2) throw cronError(`${spec.name} "${item}" has more than one "/"`);
  const [range = '', step] = parts;
  if (step !== undefined) {
    const size = DIGITS.test(step) ? Number(step) : Number.NaN;
    if (!(size >= 1 && size <= spec.maxStep)) {
      throw cronError(`${spec.name} step "/${step}" must be a whole number from 1 to ${spec.maxStep}`);
    }
  }
  if (range === '*') return;
  const bounds = range.split('-');
  if (bounds.length > 2) throw cronError(`${spec.name} "${item}" has more than one "-"`);
  const [low = '', high] = bounds;
  if (high === undefined) {
    readValue(low, spec, false);
    if (step !== undefined) {
      throw cronError(
        `${spec.name} "${item}": a step needs "*" or a range before it, e.g. "${low}-${spec.max}/${step}"`,
      );
    }
    return;
  }
  const from = readValue(low, spec, false);
  const to = readValue(high, spec, true);
  if (from > to) {
    throw cronError(
      `${spec.name} range "${range}" runs backwards; write it as two, e.g. "${from}-${spec.max},${spec.min}-${to}"`,
    );
  }
}

/** `L` (last day), `LW` (last weekday) and `15W` (the weekday nearest the 15th). */
function checkDayOfMonthModifier(item: string): void {
  if (/^LW?$/i.test(item)) return;
  const nearest = /^(\d+)W$/i.exec(item);
  if (nearest !== null) {
    readValue(nearest[1]!, DAY_OF_MONTH, false);
    return;
  }
  throw cronError(
    `day-of-month "${item}": L and W are written L (last day), LW (last weekday) or 15W (the weekday nearest the 15th)`,
  );
}

/** `5L`/`FRIL` (the last Friday), `5#2`/`FRI#2` (the second Friday), `FRI#L` (the last Friday). */
function checkDayOfWeekModifier(item: string): void {
  const nth = /^([^#]*)#(.*)$/.exec(item);
  const day = nth !== null ? nth[1]! : item.slice(0, -1);
  if (day === '') {
    throw cronError(
      `day-of-week "${item}" needs a weekday before it, e.g. "5L" or "FRI#L" for the last Friday`,
    );
  }
  readValue(day, DAY_OF_WEEK, false);
  if (nth !== null && !/^[1-5L]$/i.test(nth[2]!)) {
    throw cronError(`day-of-week "${item}": the number after "#" must be 1 to 5, or L for the last`);
  }
}

function readValue(text: string, spec: FieldSpec, rangeEnd: boolean): number {
  if (DIGITS.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      throw cronError(`${spec.name} value ${text} is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  const named = spec.names?.[text.toUpperCase()];
  if (named !== undefined) {
    // SUN closes a range as 7, as in MON-SUN, so that the range does not run backwards.
    return rangeEnd && spec === DAY_OF_WEEK && named === 0 ? 7 : named;
  }
  const expected = spec.nameHint !== undefined ? `a number or a name (${spec.nameHint})` : 'a number';
  throw cronError(`${spec.name} "${text}" is not ${expected}`);
}
