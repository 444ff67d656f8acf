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
  signature_missing: { status: 401, message: 'The request has no X-JobCenter-Signature header.' },
  signature_malformed: { status: 401, message: 'The X-JobCenter-Signature header cannot be read.' },
  signature_mismatch: { status: 401, message: 'The signature does not match the body.' },
  signature_stale: { status: 401, message: 'The signature time is more than 5 minutes off.' },
  invalid_credentials: { status: 401, message: 'Invalid user name or password.' },
  session_expired: { status: 401, message: 'The session has expired: log in again.' },
  forbidden: { status: 403, message: 'You may not do this.' },
  csrf_failed: {
    status: 403,
    message: 'Missing or wrong X-CSRF-Token header for a cookie-authenticated write.',
  },
  account_disabled: { status: 403, message: 'The account is disabled.' },
  not_found: { status: 404, message: 'No such resource.' },
  job_not_found: { status: 404, message: 'No job with this id or name.' },
  group_not_found: { status: 404, message: 'No worker group with this name.' },
  run_not_found: { status: 404, message: 'No run with this id.' },
  user_not_found: { status: 404, message: 'No user with this name or id.' },
  team_not_found: { status: 404, message: 'No team with this name.' },
  token_not_found: { status: 404, message: 'No API token with this id.' },
  duplicate_name: { status: 409, message: 'The name is already taken.' },
  team_in_use: { status: 409, message: 'Jobs or worker groups belong to the team.' },
  directory_managed: { status: 409, message: 'This comes from the directory and changes there.' },
  group_in_use: { status: 409, message: 'The worker group is used by jobs.' },
  group_rename_in_use: { status: 409, message: 'Jobs target the worker group: it keeps its name.' },
  result_conflict: { status: 409, message: 'The run already has a different result.' },
  run_finished: { status: 409, message: 'The run has already ended.' },
  login_locked: { status: 429, message: 'Too many failed logins: try again later.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  internal_error: { status: 500, message: 'Internal error.' },
  unavailable: { status: 503, message: 'The server is starting or stopping.' },
  directory_unavailable: { status: 503, message: 'The directory (LDAP) cannot be reached.' },
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
