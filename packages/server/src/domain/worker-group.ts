/** A worker group: the executor machines a job's trigger goes to (PROTOCOL.md §5). */
export interface Member {
  url: string;
  name: string | null;
}

export interface WorkerGroup {
  id: string;
  name: string;
  team: string | null;
  description: string;
  /** Signs every trigger sent to the group's members. Never listed; only shown on creation. */
  secret: string;
  /** In the group's order: `first` routing tries them in this order. */
  members: Member[];
  createdAt: number;
  updatedAt: number;
}
