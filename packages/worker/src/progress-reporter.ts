import type { ProgressUpdate } from './context.js';

/**
 * Sends a run's progress updates one at a time, in order, merging those made
 * while a request is in flight: at most one request in flight and one
 * waiting, however often the handler calls `progress()` or `log()`.
 */
export class ProgressReporter {
  #waiting: ProgressUpdate | undefined;
  #draining: Promise<void> | undefined;

  constructor(
    private readonly send: (update: ProgressUpdate) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues an update; resolves once it has been sent (or failed). Never rejects. */
  push(update: ProgressUpdate): Promise<void> {
    this.#waiting = mergeUpdates(this.#waiting, update);
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  /** Resolves when nothing is waiting or in flight. The result must wait for it: progress after a result is refused. */
  flush(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    // Let the rest of the current synchronous burst of updates merge into the first request.
    await Promise.resolve();
    while (this.#waiting !== undefined) {
      const update = this.#waiting;
      this.#waiting = undefined;
      try {
        await this.send(update);
      } catch (error) {
        this.onError(error);
      }
    }
    this.#draining = undefined;
  }
}

function mergeUpdates(earlier: ProgressUpdate | undefined, later: ProgressUpdate): ProgressUpdate {
  if (earlier === undefined) return { ...later, ...(later.log ? { log: [...later.log] } : {}) };
  const merged: ProgressUpdate = { ...earlier };
  if (later.progress !== undefined) merged.progress = later.progress;
  if (later.message !== undefined) merged.message = later.message;
  if (later.log) merged.log = [...(earlier.log ?? []), ...later.log];
  return merged;
}
