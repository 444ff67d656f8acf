import { AnnounceError } from './errors.js';
import { signPayload } from './signature.js';

/** Options of {@link announce}. */
export interface AnnounceOptions {
  /** JobCenter's base URL, e.g. `"http://jobcenter:8080"` (a trailing `/` is ignored). Required. */
  server: string;
  /** The worker group to join, e.g. `"billing-workers"`. Required. */
  group: string;
  /** The group's signing secret, the same one that signs its triggers. Required. */
  secret: string;
  /** This worker's base URL as JobCenter must call it, e.g. `"http://10.0.3.7:3000"`. Required. */
  url: string;
  /** A display name for this member in the console. Default: none (JobCenter shows the URL). */
  name?: string;
  /** Time between two announcements, in ms, counted from the start of the previous one. Default 10000. */
  intervalMs?: number;
  /**
   * Timeout of one announcement request, in ms. Default 10000. Announcements
   * never overlap: the next one waits for this one to end.
   */
  timeoutMs?: number;
  /** The clock that dates the signature (`t`), in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Told about each failed announcement (an {@link AnnounceError}); nothing is
   * thrown, and the next one goes out on schedule. Default: a `console.warn` line.
   */
  onError?: (error: unknown) => void;
}

/** A running announcer. */
export interface Announcer {
  /**
   * Stops announcing: clears the timer and aborts an announcement in flight.
   * Resolves once nothing is left running. Idempotent.
   */
  stop(): Promise<void>;
}

/** setTimeout fires at once for delays above 2^31-1 ms, so every wait is capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Announces this worker as a member of a worker group (dynamic membership,
 * PROTOCOL.md §5): `POST {server}/api/v1/worker-groups/{group}/heartbeat` with
 * body `{"url", "name"?}`, signed like a trigger
 * (`X-JobCenter-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`),
 * at once and then every `intervalMs` until {@link Announcer.stop}. Failures
 * go to `onError` and never throw. Start it once the worker answers at `url`:
 * JobCenter may send a trigger as soon as it has heard of the member.
 *
 * @example
 * const announcer = announce({
 *   server: 'http://jobcenter:8080', group: 'billing-workers',
 *   secret: process.env.JOBCENTER_SECRET!, url: 'http://10.0.3.7:3000',
 * });
 * process.on('SIGTERM', () => void announcer.stop());
 */
export function announce(options: AnnounceOptions): Announcer {
  return startAnnouncer(resolveAnnounceSettings(options));
}

/** {@link AnnounceOptions} validated, with every default applied. */
export type AnnounceSettings = Required<Omit<AnnounceOptions, 'name'>> & { name: string | undefined };

/**
 * Validates announce options and applies their defaults.
 *
 * @throws {TypeError | RangeError} naming the bad option
 */
export function resolveAnnounceSettings(options: AnnounceOptions): AnnounceSettings {
  const where = 'jobcenter-worker: announce:';
  for (const key of ['server', 'group', 'secret', 'url'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') {
      throw new TypeError(`${where} "${key}" must be a non-empty string`);
    }
  }
  for (const key of ['server', 'url'] as const) {
    if (!/^https?:\/\/[^/]/i.test(options[key])) {
      throw new TypeError(`${where} "${key}" must be an http(s) URL, got "${options[key]}"`);
    }
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`${where} "name" must be a string when given`);
  }
  const intervalMs = options.intervalMs ?? 10_000;
  if (!(intervalMs > 0)) throw new RangeError(`${where} intervalMs must be > 0, got ${intervalMs}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new RangeError(`${where} timeoutMs must be > 0, got ${timeoutMs}`);
  return {
    server: options.server.replace(/\/+$/, ''),
    group: options.group,
    secret: options.secret,
    url: options.url.replace(/\/+$/, ''),
    name: options.name,
    intervalMs,
    timeoutMs,
    now: options.now ?? Date.now,
    onError:
      options.onError ??
      ((error: unknown) =>
        console.warn(`[jobcenter-worker] ${error instanceof Error ? error.message : String(error)}`)),
  };
}

/** Starts announcing with settings from {@link resolveAnnounceSettings}. */
export function startAnnouncer(settings: AnnounceSettings): Announcer {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  const tick = () => {
    timer = undefined;
    const startedAt = Date.now();
    inFlight = sendAnnouncement(settings, stopping.signal).finally(() => {
      inFlight = undefined;
      if (stopping.signal.aborted) return;
      const wait = Math.max(0, settings.intervalMs - (Date.now() - startedAt));
      timer = setTimeout(tick, Math.min(wait, MAX_TIMER_MS));
    });
  };
  tick();

  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        clearTimeout(timer);
        timer = undefined;
        await inFlight;
      })();
      return stopped;
    },
  };
}

async function sendAnnouncement(settings: AnnounceSettings, stopping: AbortSignal): Promise<void> {
  const url = `${settings.server}/api/v1/worker-groups/${encodeURIComponent(settings.group)}/heartbeat`;
  const body = JSON.stringify(
    settings.name === undefined ? { url: settings.url } : { url: settings.url, name: settings.name },
  );
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-jobcenter-signature': signPayload(settings.secret, body, Math.floor(settings.now() / 1000)),
      },
      body,
      signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), stopping]),
    });
    // Read the answer to the end so the connection goes back to the pool.
    await response.arrayBuffer().catch(() => undefined);
    status = response.status;
  } catch (error) {
    if (stopping.aborted) return;
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    settings.onError(
      new AnnounceError(
        `could not announce ${settings.url} to group ${settings.group} at ${url}: ${
          reason instanceof Error ? reason.message : String(reason)
        }`,
        null,
        { cause: error },
      ),
    );
    return;
  }
  if (status >= 200 && status < 300) return;
  settings.onError(
    new AnnounceError(
      `announcing ${settings.url} to group ${settings.group} at ${url} answered ${status}` +
        (status === 401 ? ' (check the group secret and both clocks)' : ''),
      status,
    ),
  );
}
