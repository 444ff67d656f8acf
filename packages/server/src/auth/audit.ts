/**
 * Records who did what, from where. Every change and manual action goes
 * through `record`; the entry is written before the API answers.
 */
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { ActorKind, AuditRepo } from '../store/audit-repo.js';

/** Who acts, as the audit log names them. */
export interface Actor {
  name: string | null;
  kind: ActorKind;
  tokenId: string | null;
  ip: string | null;
}

export const SYSTEM_ACTOR: Actor = { name: null, kind: 'system', tokenId: null, ip: null };

/** What was acted on. */
export interface AuditTarget {
  type: 'job' | 'group' | 'run' | 'user' | 'team' | 'token' | 'session' | 'channel';
  name: string | null;
  team: string | null;
}

/** Keys whose values never enter the audit log, at any depth. */
const SECRET_KEYS = new Set(['secret', 'password', 'token', 'bindPassword', 'headers']);

/** A copy of `value` with secrets replaced, so before/after snapshots never hold one. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== null ? '[redacted]' : redact(v)]),
  );
}

export class AuditLog {
  constructor(
    private readonly repo: AuditRepo,
    private readonly clock: Clock,
  ) {}

  async record(
    actor: Actor,
    action: string,
    target: AuditTarget,
    details: Record<string, unknown> | null = null,
  ): Promise<void> {
    const at = this.clock.now();
    await this.repo.insert({
      id: newId(at),
      at,
      actor: actor.name,
      actorKind: actor.kind,
      tokenId: actor.tokenId,
      ip: actor.ip,
      action,
      targetType: target.type,
      target: target.name,
      team: target.team,
      details: details === null ? null : (redact(details) as Record<string, unknown>),
    });
  }
}
