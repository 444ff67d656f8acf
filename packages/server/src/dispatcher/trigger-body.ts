/**
 * The trigger body of PROTOCOL.md §1, built as a string. It is the
 * dispatcher's hottest allocation: ids, names, enums, ISO times and tokens
 * need no escaping, and the parts shared by many fires (params, the callback
 * base, a tick's ISO times) are serialised once.
 */
import type { Job } from '../domain/job.js';

const paramsJson = new WeakMap<object, string>();

function jsonOf(params: Record<string, unknown>): string {
  let json = paramsJson.get(params);
  if (json === undefined) {
    json = JSON.stringify(params);
    paramsJson.set(params, json);
  }
  return json;
}

/** A one-entry cache: every fire of a tick shares its scheduled and fired instants. */
class IsoCache {
  private ms = Number.NaN;
  private text = '';
  get(ms: number): string {
    if (ms !== this.ms) {
      this.ms = ms;
      this.text = new Date(ms).toISOString();
    }
    return this.text;
  }
}

export interface TriggerFields {
  runId: string;
  job: Pick<Job, 'id' | 'name' | 'timeoutSec'>;
  scheduledAt: number;
  firedAt: number;
  attempt: number;
  trigger: string;
  params: Record<string, unknown>;
  /** The callback base, `<public url>/api/v1/callbacks/`, JSON-encoded without quotes. */
  callbackBase: string;
  token: string;
  /** Broadcast: this member's shard (its callback URL gets `/shards/<index>`). Default 0 of 1. */
  shard?: { index: number; total: number } | undefined;
}

export class TriggerBodies {
  private readonly scheduled = new IsoCache();
  private readonly fired = new IsoCache();

  build(f: TriggerFields): string {
    const shard = f.shard;
    return (
      `{"runId":"${f.runId}","jobId":"${f.job.id}","job":"${f.job.name}",` +
      `"scheduledAt":"${this.scheduled.get(f.scheduledAt)}","firedAt":"${this.fired.get(f.firedAt)}",` +
      `"attempt":${f.attempt},"trigger":"${f.trigger}","params":${jsonOf(f.params)},` +
      `"shard":{"index":${shard ? shard.index : 0},"total":${shard ? shard.total : 1}},` +
      `"timeoutSec":${f.job.timeoutSec === null ? 'null' : f.job.timeoutSec},` +
      `"callback":{"url":"${f.callbackBase}${f.runId}${shard ? `/shards/${shard.index}` : ''}","token":"${f.token}"}}`
    );
  }
}

/** The callback base for a public URL, ready to sit inside a JSON string. */
export function callbackBase(publicUrl: string): string {
  return JSON.stringify(`${publicUrl}/api/v1/callbacks/`).slice(1, -1);
}
