/**
 * One full garbage collection on demand, for after a bulk load (every job
 * read at start-up): the rows and JSON of the load are garbage at once, and
 * collecting them then hands their memory back instead of holding it until
 * the collector next feels the need. Node exposes `gc` only behind a flag;
 * setting it at run time makes it available in a fresh context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full collection when the runtime allows it; a no-op otherwise. */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
