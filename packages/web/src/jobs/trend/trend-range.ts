/** The trend's time window as the URL keeps it: a preset back from now, or fixed instants. */
export const RANGE_PRESETS = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
};
export type RangePreset = keyof typeof RANGE_PRESETS;

export type TrendRange = { preset: RangePreset } | { from: number; to: number };

export function readRange(params: URLSearchParams): TrendRange {
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to };
  const preset = params.get('range');
  return { preset: preset && preset in RANGE_PRESETS ? (preset as RangePreset) : '7d' };
}

/** The instants to ask for; a preset ends now. */
export function resolveRange(range: TrendRange, now: number): { from: number; to: number } {
  if ('preset' in range) return { from: now - RANGE_PRESETS[range.preset], to: now };
  return range;
}

export function readZoom(params: URLSearchParams): { from: number; to: number } | null {
  const from = Date.parse(params.get('zoomFrom') ?? '');
  const to = Date.parse(params.get('zoomTo') ?? '');
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : null;
}
