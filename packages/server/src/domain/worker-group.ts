/** A worker group: the executor machines a job's trigger goes to (PROTOCOL.md §5). */
export interface Member {
  url: string;
  name: string | null;
}

/** A member as the group holds it: listed in the group (static) or announced by heartbeats (dynamic). */
export interface GroupMember extends Member {
  /** True for a member that joined by heartbeat; it leaves when silent for `memberExpiryMs`. */
  dynamic: boolean;
  /** The member's latest heartbeat (epoch ms), or null for a static member that never sent one. */
  lastSeenAt: number | null;
}

/** The optional active health check of a group's members: `GET {member.url}{path}` every interval. */
export interface MemberProbe {
  /** Appended to the member URL; starts with `/`. */
  path: string;
  /** Between two probes of one member, ms (the API speaks seconds). */
  intervalMs: number;
}

export interface WorkerGroup {
  id: string;
  name: string;
  team: string | null;
  description: string;
  /** Signs every trigger sent to the group's members. Never listed; only shown on creation. */
  secret: string;
  /**
   * Static members in the group's order (`first` routing tries them in this
   * order), then the live dynamic members by when they joined.
   */
  members: GroupMember[];
  /** Active health check; null: members are judged by their deliveries only. */
  probe: MemberProbe | null;
  createdAt: number;
  updatedAt: number;
}
