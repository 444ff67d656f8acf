/** Daylight-saving shifts in a list of local fire times: where the zone's offset changes. */

/** `+02:00` from `2027-03-28T03:00:00+02:00`; `Z` counts as `+00:00`. */
export function offsetOf(local: string): string {
  const match = /([+-]\d{2}:?\d{2}|Z)$/.exec(local);
  if (!match?.[1] || match[1] === 'Z') return '+00:00';
  return match[1];
}

/** For each fire, the offset it moved from when it differs from the previous fire's, else null. */
export function dstShifts(fires: readonly { local: string }[]): (string | null)[] {
  return fires.map((fire, i) => {
    const previous = fires[i - 1];
    if (!previous) return null;
    const before = offsetOf(previous.local);
    return before === offsetOf(fire.local) ? null : before;
  });
}
