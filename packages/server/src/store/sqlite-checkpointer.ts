/**
 * Copies SQLite's write-ahead log back into the database file from a worker
 * thread with its own connection, so the event loop that fires jobs does
 * not pay for it. At thousands of fires a second a checkpoint on the main
 * connection copies tens of megabytes at once and stalls every fire behind
 * it; here it runs beside them on the other core. The main connection keeps
 * a (rarely reached) auto-checkpoint as a safety net for when this thread
 * falls behind.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** The worker's code: CommonJS, evaluated, so it runs the same from `src` (tests) and `dist`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface CheckpointerOptions {
  /** The database file (its WAL is `<file>-wal`). */
  file: string;
  /** How often a passive checkpoint runs, ms. */
  intervalMs: number;
  /** Bytes the WAL file is cut back to after a checkpoint. */
  journalSizeLimit: number;
  log?: Logger;
}

/**
 * Starts the checkpoint thread only once the WAL first grows past
 * `startAtBytes` (checked every second): a JobCenter that writes little
 * never pays for a second V8 isolate (about 10 MB), one that writes a lot
 * gets it within a second of needing it.
 */
export class LazyCheckpointer {
  private thread: SqliteCheckpointer | null = null;
  private readonly poll: NodeJS.Timeout;

  constructor(options: CheckpointerOptions & { startAtBytes: number }) {
    this.poll = setInterval(() => {
      let size = 0;
      try {
        size = statSync(`${options.file}-wal`).size;
      } catch {
        return;
      }
      if (size >= options.startAtBytes) {
        clearInterval(this.poll);
        this.thread = new SqliteCheckpointer(options);
      }
    }, 1_000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    await this.thread?.stop();
  }
}

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private lastError = '';

  constructor(options: CheckpointerOptions) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module,
        file: options.file,
        intervalMs: options.intervalMs,
        journalSizeLimit: options.journalSizeLimit,
      },
    });
    // A checkpoint that cannot run (busy, disk full) is retried at the next interval; say so once per kind.
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error && message.error !== this.lastError) {
        this.lastError = message.error;
        options.log?.warn({ error: message.error }, 'background WAL checkpoint failed; retrying');
      }
    });
    this.worker.on('error', (err) => options.log?.error({ err }, 'background WAL checkpointer stopped'));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // Never keeps the process alive on its own.
    this.worker.unref();
  }

  /** Stops the thread and closes its connection; idempotent. */
  stop(): Promise<void> {
    if (!this.stopped) {
      // Held until it has exited: an unref'd thread would let a process with nothing else to do
      // end before the connection is closed (and leave the await unsettled).
      this.worker.ref();
      this.worker.postMessage('stop');
      const force = setTimeout(() => void this.worker.terminate(), 2_000);
      force.unref();
      this.stopped = this.exited.finally(() => clearTimeout(force));
    }
    return this.stopped;
  }
}
