/**
 * Which shard of `total` owns `key`, for splitting a broadcast run's items
 * between the members: each member handles the items where
 * `shardOf(key, ctx.shard.total) === ctx.shard.index`. Every key lands in
 * exactly one shard, and the same key in the same shard on every member and
 * every run (as long as `total` does not change).
 *
 * - a non-negative safe integer key: `key % total` (ids spread evenly as they are);
 * - a string key: the 32-bit FNV-1a hash of its UTF-8 bytes, `% total`. Easy to
 *   reproduce in any language (offset basis 2166136261, prime 16777619,
 *   arithmetic modulo 2^32), so workers in other languages split the same way.
 *
 * @param total the number of shards (`ctx.shard.total`), a positive integer
 * @returns an integer from 0 to `total - 1`
 * @throws {RangeError} for a `total` that is not a positive integer or a negative or fractional number key
 */
export function shardOf(key: string | number, total: number): number {
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new RangeError(`jobcenter-worker: shardOf: total must be a positive integer, got ${total}`);
  }
  if (typeof key === 'number') {
    if (!Number.isSafeInteger(key) || key < 0) {
      throw new RangeError(
        `jobcenter-worker: shardOf: a number key must be a non-negative integer, got ${key} (pass a string instead)`,
      );
    }
    return key % total;
  }
  return fnv1a32(key) % total;
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
