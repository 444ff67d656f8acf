/**
 * The one HTTP client of the console: JSON in and out, the session cookie,
 * the CSRF header on every write, and errors as `ApiError` with the API's
 * `{error: {code, message, field?}}`.
 */

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The API's snake_case code, e.g. `validation_error`, `invalid_credentials`. */
    readonly code: string,
    message: string,
    /** The offending field of a validation error, e.g. `schedule.cron`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server has no such route: a feature this server version does not offer yet. */
  get notOffered(): boolean {
    return this.status === 404 && this.code === 'not_found';
  }
}

type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Do not send the user to the login page on a 401 (the session and login calls handle it). */
  quiet401?: boolean;
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The token `POST /auth/login` and `GET /auth/me` answered; sent as `X-CSRF-Token` on writes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on any 401 of a call that is not quiet: the app goes to the login page. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** `?a=1&status=x&status=y`, leaving out empty values. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (WRITES.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${queryString(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const error = errorBody(json);
    if (res.status === 401 && !options.quiet401) onUnauthorized?.();
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? (res.statusText || `HTTP ${res.status}`),
      error?.field,
    );
  }
  return json as T;
}

function errorBody(json: unknown): { code: string; message: string; field?: string } | null {
  if (typeof json !== 'object' || json === null || !('error' in json)) return null;
  const error = (json as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, field } = error as Record<string, unknown>;
  if (typeof code !== 'string') return null;
  return {
    code,
    message: typeof message === 'string' ? message : code,
    ...(typeof field === 'string' ? { field } : {}),
  };
}

export const http = {
  get: <T>(path: string, query?: Query, options?: Omit<RequestOptions, 'query' | 'body'>) =>
    request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};
