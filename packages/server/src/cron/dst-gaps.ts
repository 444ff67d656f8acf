import { offsetMsAt } from './time-zone.js';

/**
 * DST gaps whose skipped local times start on an earlier local day than the one the gap ends on.
 * America/Nuuk, for one, jumps from 23:00 on the last Saturday of March straight to 00:00 on
 * Sunday. Vixie cron runs a fixed time skipped that way (23:30 on Saturday) at the first instant
 * after the gap, but croner only does so for skipped times on the day the gap ends, so schedule.ts
 * adds those fires itself.
 */
export interface GapAcrossMidnight {
  /** The first instant after the gap (epoch ms): when the skipped fixed times fire. */
  readonly endMs: number;
  /** The first skipped local time, as wall-clock ms (see time-zone.ts). */
  readonly wallStartMs: number;
  /** Midnight starting the local day the gap ends on, as wall-clock ms; skipped times before it are croner's blind spot. */
  readonly wallMidnightMs: number;
}

/** Gaps are found and cached per block of this many ms (a mean Gregorian year) and zone. */
const BLOCK_MS = 31_556_952_000;
const DAY_MS = 86_400_000;

const cache = new Map<string, Map<number, readonly GapAcrossMidnight[]>>();

/** The block that the instant `ms` lies in, counting blocks from the epoch; block b covers (b·B, (b+1)·B]. */
export function gapBlockOf(ms: number): number {
  return Math.floor(ms / BLOCK_MS);
}

/**
 * The gaps across midnight in `timeZone` ending within block `block`, oldest first. The first call for
 * a zone and block samples the zone's offset once a day (about 400 Intl calls, ~1 ms); later calls
 * are a map lookup. Two offset changes that cancel out within one day are not seen.
 */
export function gapsAcrossMidnight(timeZone: string, block: number): readonly GapAcrossMidnight[] {
  let blocks = cache.get(timeZone);
  if (blocks === undefined) {
    blocks = new Map();
    cache.set(timeZone, blocks);
  }
  let gaps = blocks.get(block);
  if (gaps === undefined) {
    gaps = findGapsAcrossMidnight(timeZone, block * BLOCK_MS, (block + 1) * BLOCK_MS);
    blocks.set(block, gaps);
  }
  return gaps;
}

function findGapsAcrossMidnight(timeZone: string, fromMs: number, toMs: number): GapAcrossMidnight[] {
  const gaps: GapAcrossMidnight[] = [];
  let at = fromMs;
  let offset = offsetMsAt(timeZone, at);
  while (at < toMs) {
    const probe = Math.min(at + DAY_MS, toMs);
    if (offsetMsAt(timeZone, probe) === offset) {
      at = probe;
      continue;
    }
    // Bisect to the first whole second with the new offset: the instant the clocks change.
    let before = at;
    let after = probe;
    while (after - before > 1000) {
      const middle = before + Math.floor((after - before) / 2000) * 1000;
      if (offsetMsAt(timeZone, middle) === offset) before = middle;
      else after = middle;
    }
    const newOffset = offsetMsAt(timeZone, after);
    if (newOffset > offset) {
      const wallStartMs = after + offset;
      const wallMidnightMs = Math.floor((after + newOffset) / DAY_MS) * DAY_MS;
      if (wallStartMs < wallMidnightMs) gaps.push({ endMs: after, wallStartMs, wallMidnightMs });
    }
    at = after;
    offset = newOffset;
  }
  return gaps;
}
