import { delayToPhase } from '../clock.js';

/**
 * A task run every `intervalMs`, never overlapping itself: a pass still
 * running when the next is due makes that one skip. Passes are locked to
 * the half second (see `delayToPhase`), away from the whole seconds fires
 * fall on, and re-aimed at each pass so they never drift onto them.
 * `start()` and `stop()` are idempotent; `stop()` waits for a pass in progress.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown> | unknown,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        if (!this.running) {
          this.running = Promise.resolve()
            .then(() => this.task())
            .finally(() => {
              this.running = null;
            });
        }
        if (this.timer) this.schedule();
      },
      delayToPhase(this.now(), this.intervalMs),
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
