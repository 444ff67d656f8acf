/**
 * Alert recipients as the job editor reads them: `user:NAME`, `team:NAME`,
 * `email:ADDRESS`, `sms:NUMBER`, `channel:NAME` (PROTOCOL.md §4). The checks
 * are the server's (names, email addresses and phone numbers as profiles
 * take them), so a list the editor accepts is one the API accepts.
 */

export const RECIPIENT_KINDS = ['user', 'team', 'email', 'sms', 'channel'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** Why a recipient was refused; the editor words each one. */
export type RecipientProblem = 'noKind' | 'unknownKind' | 'empty' | 'name' | 'email' | 'phone' | 'tooLong';

export type ParsedRecipient =
  | { ok: true; kind: RecipientKind; value: string; text: string }
  | { ok: false; text: string; problem: RecipientProblem };

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9()-]{2,30}$/;
/** The API's limit on one recipient, characters. */
const MAX_LENGTH = 256;

const isKind = (kind: string): kind is RecipientKind => (RECIPIENT_KINDS as readonly string[]).includes(kind);

/** One recipient, trimmed, its kind lower-cased (`Email:Ops@x.io` → `email:Ops@x.io`). */
export function parseRecipient(input: string): ParsedRecipient {
  const trimmed = input.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) return { ok: false, text: trimmed, problem: 'noKind' };
  const kind = trimmed.slice(0, colon).trim().toLowerCase();
  const value = trimmed.slice(colon + 1).trim();
  const text = `${kind}:${value}`;
  if (!isKind(kind)) return { ok: false, text: trimmed, problem: 'unknownKind' };
  if (value === '') return { ok: false, text, problem: 'empty' };
  if (text.length > MAX_LENGTH) return { ok: false, text, problem: 'tooLong' };
  if (kind === 'email' && !EMAIL.test(value)) return { ok: false, text, problem: 'email' };
  if (kind === 'sms' && !PHONE.test(value)) return { ok: false, text, problem: 'phone' };
  if ((kind === 'user' || kind === 'team' || kind === 'channel') && !NAME.test(value)) {
    return { ok: false, text, problem: 'name' };
  }
  return { ok: true, kind, value, text };
}

/**
 * A typed list as the API takes it: each recipient normalised, duplicates
 * dropped (first one kept), and the first refused one if any.
 */
export function normaliseRecipients(inputs: readonly string[]): {
  recipients: string[];
  invalid: Extract<ParsedRecipient, { ok: false }> | null;
} {
  const seen = new Set<string>();
  const recipients: string[] = [];
  let invalid: Extract<ParsedRecipient, { ok: false }> | null = null;
  for (const input of inputs) {
    if (input.trim() === '') continue;
    const parsed = parseRecipient(input);
    if (!parsed.ok) {
      invalid ??= parsed;
      recipients.push(parsed.text);
      continue;
    }
    if (seen.has(parsed.text)) continue;
    seen.add(parsed.text);
    recipients.push(parsed.text);
  }
  return { recipients, invalid };
}

export interface RecipientSuggestion {
  value: string;
  kind: RecipientKind;
  /** A display name or description to show beside it. */
  hint: string | null;
}

/**
 * What to offer as the user types: known users, teams and channels whose
 * recipient text contains the typed text (any case), users first; a typed
 * `email:`/`sms:` stays as typed.
 */
export function suggestRecipients(
  typed: string,
  known: {
    users: readonly { name: string; displayName: string | null }[];
    teams: readonly { name: string; description?: string }[];
    channels: readonly { name: string; type: string }[];
  },
  limit = 30,
): RecipientSuggestion[] {
  const all: RecipientSuggestion[] = [
    ...known.users.map((u) => ({ value: `user:${u.name}`, kind: 'user' as const, hint: u.displayName })),
    ...known.teams.map((t) => ({
      value: `team:${t.name}`,
      kind: 'team' as const,
      hint: t.description || null,
    })),
    ...known.channels.map((c) => ({ value: `channel:${c.name}`, kind: 'channel' as const, hint: c.type })),
  ];
  const needle = typed.trim().toLowerCase();
  const matches = needle
    ? all.filter((s) => s.value.includes(needle) || (s.hint?.toLowerCase().includes(needle) ?? false))
    : all;
  return matches.slice(0, limit);
}
