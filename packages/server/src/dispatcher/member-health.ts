/**
 * What the dispatcher needs to know and tell about the health of a group's
 * members (PROTOCOL.md §5): routing prefers healthy members and falls back
 * to unhealthy ones only when none is healthy; every attempt's outcome is
 * reported so passive health can follow delivery failures and recoveries.
 * Implemented by the monitor (member health, dynamic membership).
 */
export interface MemberHealth {
  /** False while `url` in `group` is considered unhealthy (probe or delivery failures). */
  isHealthy(group: string, url: string): boolean;
  /** A trigger to the member was accepted or answered (any answer that counts as delivered). */
  deliverySucceeded(group: string, url: string): void;
  /** A trigger to the member failed (connection error, timeout, 5xx; not 409 busy). */
  deliveryFailed(group: string, url: string, error: string): void;
  /** A running run on this member went silent past its heartbeatSec or deadline. */
  runLost(group: string, url: string, reason: string): void;
}

/** Every member healthy, nothing recorded: for tests and for jobs with an absolute target URL. */
export const ALWAYS_HEALTHY: MemberHealth = {
  isHealthy: () => true,
  deliverySucceeded: () => {},
  deliveryFailed: () => {},
  runLost: () => {},
};
