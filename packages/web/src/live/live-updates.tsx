/**
 * Live updates of runs through `GET /api/v1/events` (server-sent events,
 * filtered by the caller's teams). Each `event: run` patches what is cached —
 * the jobs table's last run, the overview's running runs, the open run — and
 * asks the job's history and trend again, at most once a second per job.
 * While the stream is not open (a server without it answers 404, a proxy
 * cuts it) pages poll as before: `usePollInterval` says how often.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import type { Job, Overview, Page, Run } from '../api/types';
import { parseRunUpdate, type RunUpdate, withLastRun, withRunFields, withRunningNow } from './run-update';

export type LiveState = 'connecting' | 'open' | 'unavailable';

const LiveContext = createContext<LiveState>('unavailable');

/** How long to wait before asking again for a stream the server refused, ms (doubles up to 5 min). */
const RETRY_MS = 30_000;
const RETRY_MAX_MS = 300_000;

/** Refetches of one key at most this often, ms: the first at once, the last one after the quiet. */
function throttler(intervalMs: number) {
  const timers = new Map<string, { timer: ReturnType<typeof setTimeout>; again: boolean }>();
  const fn = (key: string, run: () => void) => {
    const pending = timers.get(key);
    if (pending) {
      pending.again = true;
      return;
    }
    run();
    const entry = {
      again: false,
      timer: setTimeout(() => {
        timers.delete(key);
        if (entry.again) fn(key, run);
      }, intervalMs),
    };
    timers.set(key, entry);
  };
  fn.clear = () => {
    for (const { timer } of timers.values()) clearTimeout(timer);
    timers.clear();
  };
  return fn;
}

function applyUpdate(
  client: QueryClient,
  update: RunUpdate,
  soon: ReturnType<typeof throttler>,
  later: ReturnType<typeof throttler>,
) {
  client.setQueriesData<Page<Job>>({ queryKey: ['jobs'] }, (page) =>
    page ? withLastRun(page, update) : page,
  );
  client.setQueryData<Overview>(['overview'], (overview) =>
    overview ? withRunningNow(overview, update) : overview,
  );
  const run = client.getQueryData<Run>(['run', update.id]);
  if (run) {
    client.setQueryData<Run>(['run', update.id], withRunFields(run, update));
    // Attempts, log lines and output are not in the event.
    soon(`run:${update.id}`, () => void client.invalidateQueries({ queryKey: ['run', update.id] }));
  }
  soon(`runs:${update.job}`, () => {
    void client.invalidateQueries({ queryKey: ['runs', update.job] });
    void client.invalidateQueries({ queryKey: ['job', update.job] });
  });
  later(`trend:${update.job}`, () => void client.invalidateQueries({ queryKey: ['trend', update.job] }));
  later('overview', () => void client.invalidateQueries({ queryKey: ['overview'] }));
}

export function LiveUpdates({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>(
    typeof EventSource === 'undefined' ? 'unavailable' : 'connecting',
  );

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const soon = throttler(1_000);
    const later = throttler(5_000);
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let retryMs = RETRY_MS;
    let stopped = false;

    const connect = () => {
      setState('connecting');
      source = new EventSource('/api/v1/events', { withCredentials: true });
      source.onopen = () => {
        retryMs = RETRY_MS;
        setState('open');
      };
      source.addEventListener('run', (message) => {
        const update = parseRunUpdate((message as MessageEvent<string>).data);
        if (update) applyUpdate(client, update, soon, later);
      });
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          // Refused (404 from a server without events, 401, not an event stream): poll, ask again later.
          source = null;
          setState('unavailable');
          retry = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        } else {
          // The browser reconnects by itself; poll meanwhile, and catch up on what was missed.
          setState('connecting');
          void client.invalidateQueries({ queryKey: ['runs'] });
          void client.invalidateQueries({ queryKey: ['jobs'] });
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      soon.clear();
      later.clear();
    };
  }, [client]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export function useLiveState(): LiveState {
  return useContext(LiveContext);
}

/**
 * A query's `refetchInterval`: `pollMs` while the stream is not open; with it
 * open, `liveMs` (what events do not cover, such as edits by others), or no
 * polling when it is false.
 */
export function usePollInterval(pollMs: number, liveMs: number | false = false): number | false {
  return useLiveState() === 'open' ? liveMs : pollMs;
}
