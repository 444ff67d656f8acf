import type { JobResult } from './job-result.js';

/**
 * Signals of runs that JobCenter itself cancelled (as opposed to a worker
 * closing with `cancelRunning`, after which JobCenter still waits for the
 * result). Kept beside the signal rather than on the context so the worker and
 * the mock context mark a cancel the same way and {@link invokeHandler}
 * applies one rule to both.
 */
const cancelledByJobCenter = new WeakSet<AbortSignal>();

/** Aborts a run's signal as JobCenter's cancel does: marks it, then aborts with `reason`. */
export function cancelAsJobCenter(controller: AbortController, reason: unknown): void {
  // Marked even when a closing worker already aborted it: JobCenter has now
  // ended the run too, so the cancelled rule applies to what it reports.
  cancelledByJobCenter.add(controller.signal);
  controller.abort(reason);
}

/** Whether JobCenter cancelled the run this signal belongs to. */
export function wasCancelledByJobCenter(signal: AbortSignal): boolean {
  return cancelledByJobCenter.has(signal);
}

/** The reason an `AbortError` gets when JobCenter cancels run `runId`. */
export function jobCenterCancelReason(runId: string): DOMException {
  return new DOMException(`run ${runId} was cancelled by JobCenter`, 'AbortError');
}

/**
 * What a run cancelled by JobCenter reports, whatever its handler did: never
 * `succeeded`, since the run did not finish its work. The message is the
 * cancel's reason; an output the handler still returned (say, how far it got)
 * is kept. JobCenter stores it as the cancelled run's `lateResult`.
 */
export function cancelledResult(signal: AbortSignal, handlerResult?: JobResult): JobResult {
  const result: JobResult = { status: 'failed', message: reasonMessage(signal.reason) };
  if (handlerResult?.output !== undefined) result.output = handlerResult.output;
  return result;
}

function reasonMessage(reason: unknown): string {
  if (reason instanceof Error || reason instanceof DOMException) return reason.message || reason.name;
  return reason === undefined ? 'cancelled' : String(reason);
}
