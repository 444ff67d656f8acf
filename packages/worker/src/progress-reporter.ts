import type { ProgressUpdate } from './context.js';

/** JobCenter takes at most this many log lines in one progress call (docs/protocol.md §2). */
export const MAX_LOG_LINES_PER_CALL = 10_000;

/**
 * Sends a run's progress updates one at a time, in order, merging those made
 * while a request is in flight: at most one request in flight and one
 * waiting, however often the handler calls `progress()`, `log()` or
 * `heartbeat()`. Log lines so travel in batches, at most
 * {@link MAX_LOG_LINES_PER_CALL} per request.
 */
export class ProgressReporter {
  #waiting: ProgressUpdate | undefined;
  #draining: Promise<void> | undefined;
  #discarded = false;

  constructor(
    private readonly send: (update: ProgressUpdate) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues an update; resolves once it has been sent (or failed, or been discarded). Never rejects. */
  push(update: ProgressUpdate): Promise<void> {
    if (this.#discarded) return Promise.resolve();
    if (this.#waiting === undefined) this.#waiting = copyUpdate(update);
    else mergeInto(this.#waiting, update);
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  /** Resolves when nothing is waiting or in flight. The result must wait for it: progress after a result is refused. */
  flush(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  /**
   * Drops what is waiting and every later update (the run was cancelled, and
   * JobCenter refuses progress for an ended run). A request already in flight
   * completes; {@link flush} still waits for it.
   */
  discard(): void {
    this.#discarded = true;
    this.#waiting = undefined;
  }

  async #drain(): Promise<void> {
    // Let the rest of the current synchronous burst of updates merge into the first request.
    await Promise.resolve();
    while (this.#waiting !== undefined) {
      const update = takeOneCall(this.#waiting);
      this.#waiting = update.rest;
      try {
        await this.send(update.call);
      } catch (error) {
        this.onError(error);
      }
    }
    this.#draining = undefined;
  }
}

/** Splits off what fits in one call; lines past the cap stay waiting for the next one. */
function takeOneCall(update: ProgressUpdate): { call: ProgressUpdate; rest: ProgressUpdate | undefined } {
  if (!update.log || update.log.length <= MAX_LOG_LINES_PER_CALL) return { call: update, rest: undefined };
  return {
    call: { ...update, log: update.log.slice(0, MAX_LOG_LINES_PER_CALL) },
    rest: { log: update.log.slice(MAX_LOG_LINES_PER_CALL) },
  };
}

function copyUpdate(update: ProgressUpdate): ProgressUpdate {
  return { ...update, ...(update.log ? { log: [...update.log] } : {}) };
}

/**
 * Merges `later` into the waiting update in place (the reporter owns it), so
 * many lines logged while a request is in flight cost no quadratic copying.
 */
function mergeInto(waiting: ProgressUpdate, later: ProgressUpdate): void {
  if (later.progress !== undefined) waiting.progress = later.progress;
  if (later.message !== undefined) waiting.message = later.message;
  if (later.log) {
    if (waiting.log) for (const line of later.log) waiting.log.push(line);
    else waiting.log = [...later.log];
  }
}
