/** The job field a schedule problem is reported against. */
export type ScheduleField = 'schedule.cron' | 'schedule.timezone';

/**
 * A cron expression or time zone that JobCenter cannot schedule. The message starts with the field
 * and says what is wrong, e.g. `schedule.cron: expected 5 or 6 fields, got 7`. Retrying cannot help:
 * the job definition has to change.
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly field: ScheduleField;

  constructor(field: ScheduleField, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

export function cronError(problem: string): ScheduleError {
  return new ScheduleError('schedule.cron', problem);
}
