/**
 * Turns recipients (`user:NAME`, `team:NAME`, `email:ADDRESS`, `sms:NUMBER`,
 * `channel:NAME`) into deliveries: a channel and an address on it. Users are
 * reached at their profile's email and phone through the default email and
 * SMS channels; a chat or webhook channel is its own recipient. What cannot
 * be reached is answered as a problem, so it is recorded, not dropped.
 */

export interface Delivery {
  channel: string;
  /** An email address or phone number; '' for chat and webhook channels. */
  address: string;
}

export interface RecipientDirectory {
  users: ReadonlyMap<string, { email: string | null; phone: string | null; disabled: boolean }>;
  /** Team name → its members' user names. */
  teams: ReadonlyMap<string, readonly string[]>;
  /** Enabled channels by name, with their type. */
  channels: ReadonlyMap<string, { type: string }>;
  defaultEmail: string | null;
  defaultSms: string | null;
}

export interface Resolution {
  deliveries: Delivery[];
  /** One line per recipient that could not be reached, naming why. */
  problems: { recipient: string; problem: string }[];
}

const ADDRESS_CHANNELS = new Set(['email', 'sms']);

/** The user and team names the recipients mention, to load before resolving. */
export function mentioned(recipients: Iterable<string>): { users: Set<string>; teams: Set<string> } {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const r of recipients) {
    const [kind, name] = split(r);
    if (kind === 'user') users.add(name);
    if (kind === 'team') teams.add(name);
  }
  return { users, teams };
}

function split(recipient: string): [string, string] {
  const i = recipient.indexOf(':');
  return [recipient.slice(0, i), recipient.slice(i + 1)];
}

export function resolveRecipients(recipients: readonly string[], dir: RecipientDirectory): Resolution {
  const deliveries = new Map<string, Delivery>();
  const problems: Resolution['problems'] = [];
  const add = (channel: string, address: string) =>
    deliveries.set(`${channel}\n${address}`, { channel, address });
  const reachUser = (recipient: string, name: string) => {
    const user = dir.users.get(name);
    if (!user) return problems.push({ recipient, problem: `no user named ${name}` });
    if (user.disabled) return problems.push({ recipient, problem: `user ${name} is disabled` });
    let reached = false;
    if (user.email && dir.defaultEmail) {
      add(dir.defaultEmail, user.email);
      reached = true;
    }
    if (user.phone && dir.defaultSms) {
      add(dir.defaultSms, user.phone);
      reached = true;
    }
    if (!reached) {
      problems.push({
        recipient,
        problem: `user ${name} has no email with a default email channel, and no phone with a default SMS channel`,
      });
    }
  };
  for (const recipient of recipients) {
    const [kind, name] = split(recipient);
    if (kind === 'user') reachUser(recipient, name);
    else if (kind === 'team') {
      const members = dir.teams.get(name);
      if (!members || members.length === 0)
        problems.push({ recipient, problem: `team ${name} has no members` });
      else for (const member of members) reachUser(`${recipient} (${member})`, member);
    } else if (kind === 'email' || kind === 'sms') {
      const channel = kind === 'email' ? dir.defaultEmail : dir.defaultSms;
      if (channel) add(channel, name);
      else
        problems.push({
          recipient,
          problem: `no default ${kind === 'email' ? 'email' : 'SMS'} channel is set up`,
        });
    } else if (kind === 'channel') {
      const channel = dir.channels.get(name);
      if (!channel) problems.push({ recipient, problem: `no enabled channel named ${name}` });
      else if (ADDRESS_CHANNELS.has(channel.type)) {
        problems.push({
          recipient,
          problem: `channel ${name} is a ${channel.type} channel: name an address (email:…, sms:…)`,
        });
      } else add(name, '');
    } else problems.push({ recipient, problem: `unknown recipient kind ${kind}` });
  }
  return { deliveries: [...deliveries.values()], problems };
}
