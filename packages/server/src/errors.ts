/**
 * The one registry of API error codes. Every error the API answers is an
 * `ApiError` built from this table, so `docs/errors.md` can be checked
 * against it by a test.
 */
export const ERRORS = {
  validation_error: { status: 400, message: 'The request is invalid.' },
  bad_request: { status: 400, message: 'The request is malformed.' },
  invalid_cursor: { status: 400, message: 'The cursor is malformed or belongs to another list.' },
  unauthorized: { status: 401, message: 'Missing or invalid credentials.' },
  forbidden: { status: 403, message: 'You may not do this.' },
  not_found: { status: 404, message: 'No such resource.' },
  job_not_found: { status: 404, message: 'No job with this id or name.' },
  group_not_found: { status: 404, message: 'No worker group with this name.' },
  run_not_found: { status: 404, message: 'No run with this id.' },
  duplicate_name: { status: 409, message: 'The name is already taken.' },
  group_in_use: { status: 409, message: 'The worker group is used by jobs.' },
  result_conflict: { status: 409, message: 'The run already has a different result.' },
  run_finished: { status: 409, message: 'The run has already ended.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  internal_error: { status: 500, message: 'Internal error.' },
  unavailable: { status: 503, message: 'The server is starting or stopping.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error that the API answers as `{"error": {code, message, field?}}`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message?: string, field?: string) {
    super(message ?? ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = field;
  }

  toJSON(): { error: { code: string; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}

/** A 400 naming the offending field: `invalid('schedule.cron', 'expected 5 or 6 fields, got 7')`. */
export function invalid(field: string, problem: string): ApiError {
  return new ApiError('validation_error', `${field}: ${problem}`, field);
}
