/** How times and durations read in the console: local time, compact durations. */
import dayjs from 'dayjs';

/** `2026-11-25 09:54:07` in the browser's zone, or `—`. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm:ss') : '—';
}

/** `in 3 minutes` / `3 分钟内`, in the console's language (dayjs locale). */
export function fromNow(iso: string | null | undefined): string {
  return iso ? dayjs(iso).fromNow() : '';
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`, `3 d 4 h`; `—` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const totalSec = Math.round(s);
  const min = Math.floor(totalSec / 60);
  if (min < 60) return `${min} min ${String(totalSec % 60).padStart(2, '0')} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Pretty JSON for display; `undefined` shows as nothing. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}

/** Compact for tables: `06:22:30` today, `11-24 07:30` this year, else `2025-11-24`. */
export function formatShortTime(iso: string | null | undefined, now = dayjs()): string {
  if (!iso) return '—';
  const time = dayjs(iso);
  if (time.isSame(now, 'day')) return time.format('HH:mm:ss');
  if (time.isSame(now, 'year')) return time.format('MM-DD HH:mm');
  return time.format('YYYY-MM-DD');
}
