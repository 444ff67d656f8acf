/** Operations on runs from the API: cancel. */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job } from '../domain/job.js';
import type { Run } from '../domain/run.js';
import { ApiError } from '../errors.js';
import type { Store } from '../store/store.js';

export interface CancelRequests {
  /** Asks the members working on the run to stop (PROTOCOL.md §1) and stops its delivery here. */
  cancel(
    job: Job | null,
    runId: string,
    members: readonly string[],
  ): Promise<{ member: string; ok: boolean; httpStatus: number | null; error: string | null }[]>;
}

export class RunManager {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly dispatcher: CancelRequests,
  ) {}

  /**
   * Cancels an open run: it is `cancelled` at once (no further attempt, no
   * re-run), and the member(s) running it get the signed cancel request in
   * the background; each answer is kept as a run event.
   */
  async cancel(runId: string): Promise<Run> {
    const now = this.clock.now();
    const outcome = await this.store.runs.cancel(runId, now, 'cancelled by an operator');
    if (outcome === 'not_found') throw new ApiError('run_not_found', `no run with id "${runId}"`);
    if (outcome === 'finished') {
      throw new ApiError('run_finished', `run "${runId}" has already ended: nothing to cancel`);
    }
    const job = await this.store.jobs.findById(outcome.before.jobId);
    void this.dispatcher
      .cancel(job, runId, outcome.members)
      .then(async (answers) => {
        for (const a of answers) {
          const said = a.ok ? `answered ${a.httpStatus}` : `failed: ${a.error ?? `HTTP ${a.httpStatus}`}`;
          await this.store.runs.addEvent(runId, this.clock.now(), `cancel request to ${a.member} ${said}`);
        }
      })
      .catch((err: unknown) => this.log.warn({ err, runId }, 'sending the cancel request failed'));
    const run = await this.store.runs.find(runId);
    if (!run) throw new ApiError('run_not_found', `no run with id "${runId}"`);
    return run;
  }
}
