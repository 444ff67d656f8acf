/**
 * What an alert-worthy run change leads to: which alert kind, whether it is
 * sent, held back by the throttle window, kept quiet (paused job,
 * maintenance window) or not subscribed, to whom, and how the job's failure
 * episode moves. Pure: the alert worker loads the state and writes the result.
 */
import type { AlertEvent, Job } from './job.js';

/** What the run triggers record; `succeeded` only while the job has an open failure episode. */
export const EVENT_KINDS = [
  'failed',
  'notify_failed',
  'lost',
  'timeout',
  'missed',
  'skipped',
  'succeeded',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The kinds that open or extend a failure episode (and count for escalation). */
export const FAILURE_KINDS: ReadonlySet<EventKind> = new Set(['failed', 'notify_failed', 'lost']);

export interface AlertPolicy {
  on: readonly AlertEvent[];
  recipients: readonly string[];
  escalation: { afterFailures: number; recipients: readonly string[] } | null;
}

/**
 * The job's alert settings, completed by the server-wide defaults: a job
 * that names no kinds takes the default kinds, one that names no
 * recipients the default recipients.
 */
export function policyOf(alerts: Job['alerts'], defaults: AlertPolicy): AlertPolicy {
  return {
    on: alerts.on.length > 0 ? alerts.on : defaults.on,
    recipients: alerts.recipients.length > 0 ? alerts.recipients : defaults.recipients,
    escalation: alerts.escalation ?? defaults.escalation,
  };
}

export interface DecisionInput {
  event: EventKind;
  policy: AlertPolicy;
  jobEnabled: boolean;
  inMaintenance: boolean;
  /** Until when this job and kind are throttled; null: no window open. */
  windowUntil: number | null;
  /** Failures in the job's open episode before this event; null: no episode. */
  episodeFailures: number | null;
  now: number;
  /** How long one alert holds back the next of the same job and kind, ms. */
  windowMs: number;
}

export type Outcome = 'send' | 'throttled' | 'quiet' | 'unsubscribed';

export interface Decision {
  kind: AlertEvent;
  outcome: Outcome;
  /** Who gets it (the policy's recipients, plus the escalation list once reached). */
  recipients: readonly string[];
  /** The throttle window after this event (unchanged unless an alert was sent). */
  windowUntil: number | null;
  /** The episode after this event: its failure count, or null when closed (or none). */
  episodeFailures: number | null;
}

export function decide(input: DecisionInput): Decision {
  const { event, policy, now } = input;
  const kind: AlertEvent = event === 'succeeded' ? 'recovered' : event;
  let episodeFailures = input.episodeFailures;
  if (FAILURE_KINDS.has(event)) episodeFailures = (episodeFailures ?? 0) + 1;
  if (event === 'succeeded') episodeFailures = null;
  const base = { kind, episodeFailures, windowUntil: input.windowUntil };

  if (!input.jobEnabled || input.inMaintenance) return { ...base, outcome: 'quiet', recipients: [] };
  if (!policy.on.includes(kind)) return { ...base, outcome: 'unsubscribed', recipients: [] };

  const escalation = policy.escalation;
  // A recovery goes to whoever heard of the episode: the failures it closes decide.
  const failures = event === 'succeeded' ? input.episodeFailures : episodeFailures;
  const escalated = escalation !== null && failures !== null && failures >= escalation.afterFailures;
  const justEscalated = escalated && failures === escalation?.afterFailures;
  const recipients = escalated
    ? unique([...policy.recipients, ...(escalation?.recipients ?? [])])
    : policy.recipients;

  // A recovery closes the episode: always said, and it reopens every window.
  if (kind === 'recovered') return { ...base, outcome: 'send', recipients, windowUntil: null };
  if (input.windowUntil !== null && now < input.windowUntil) {
    // Reaching the escalation threshold is news to the second list, window or not.
    if (justEscalated) return { ...base, outcome: 'send', recipients: escalation?.recipients ?? [] };
    return { ...base, outcome: 'throttled', recipients: [] };
  }
  return { ...base, outcome: 'send', recipients, windowUntil: now + input.windowMs };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
