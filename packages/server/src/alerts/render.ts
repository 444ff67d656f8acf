/**
 * Turns an alert's facts into what channels send: subject, text, HTML and chat
 * markdown, in English or Chinese, from template files users can override.
 *
 * Templates live in `templates/<language>/<kind>.{subject,txt,html,md}`. A
 * `templatesDir` laid out the same way overrides any file present there; the
 * others stay built in. Every template of a language is compiled on first use
 * (or by `loadAlertTemplates` at startup) and kept for the life of the process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKnownTimeZone, wallClockMs } from '../cron/time-zone.js';
import type { AlertContent } from './channel.js';
import { type CompiledTemplate, compileTemplate } from './template.js';

export const ALERT_KINDS = [
  'failed',
  'notify_failed',
  'timeout',
  'missed',
  'skipped',
  'lost',
  'recovered',
  'digest',
  'test',
] as const satisfies readonly AlertContent['kind'][];
export type AlertKind = AlertContent['kind'];

export const ALERT_LANGUAGES = ['en', 'zh-CN'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];

/** The facts of one alert, as the alert worker knows them. */
export interface AlertInput {
  kind: AlertKind;
  job: string;
  team: string | null;
  owner: string | null;
  /** The run's nominal fire time, ms since the epoch. */
  scheduledAt: number | null;
  /** The run's status (`failed`, `lost`, `succeeded`…). */
  status: string | null;
  durationMs: number | null;
  /** What the worker or JobCenter said about the outcome; capped at 500 characters. */
  message: string | null;
  /** The member the run went to (its URL or name). */
  member: string | null;
  runId: string | null;
  /** URL of the run in the console. */
  link: string | null;
  /** Digest: how many alerts were held back. */
  count?: number;
  /** Digest: since when (ms since the epoch). */
  since?: number;
  /** The job's IANA time zone; times are also shown in it. */
  timezone?: string;
}

/** The longest message shown, in characters; longer ones are cut with '…'. */
export const MAX_MESSAGE_CHARS = 500;

/** The placeholders every template may use. */
export const TEMPLATE_PLACEHOLDERS = [
  'kind',
  'job',
  'team',
  'owner',
  'member',
  'runId',
  'link',
  'scheduledAt',
  'scheduledLocal',
  'timezone',
  'status',
  'outcome',
  'duration',
  'durationMs',
  'message',
  'count',
  'since',
  'sinceLocal',
  'subject',
] as const;

const FILE_TYPES = ['subject', 'txt', 'html', 'md'] as const;
type FileType = (typeof FILE_TYPES)[number];
type KindTemplates = Record<FileType, CompiledTemplate>;

const BUILT_IN_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

const cache = new Map<string, Map<AlertKind, KindTemplates>>();

/**
 * Compiles every template of `language` (built-in files, overridden by any in
 * `templatesDir`) and keeps them. Throws a TemplateError naming the file for
 * an unknown placeholder or a broken section; call it at startup to fail early.
 */
export function loadAlertTemplates(language: AlertLanguage, templatesDir?: string): void {
  templatesFor(language, templatesDir);
}

function templatesFor(
  language: AlertLanguage,
  templatesDir: string | undefined,
): Map<AlertKind, KindTemplates> {
  if (!(ALERT_LANGUAGES as readonly string[]).includes(language)) {
    throw new RangeError(
      `alerts: unknown language '${String(language)}'; expected ${ALERT_LANGUAGES.join(', ')}`,
    );
  }
  const key = `${language}\0${templatesDir ?? ''}`;
  let templates = cache.get(key);
  if (!templates) {
    templates = new Map();
    for (const kind of ALERT_KINDS) {
      const compiled = {} as KindTemplates;
      for (const type of FILE_TYPES) {
        const name = `${kind}.${type}`;
        const override = templatesDir === undefined ? undefined : join(templatesDir, language, name);
        const file =
          override !== undefined && existsSync(override) ? override : join(BUILT_IN_DIR, language, name);
        const names =
          type === 'subject' ? TEMPLATE_PLACEHOLDERS.filter((p) => p !== 'subject') : TEMPLATE_PLACEHOLDERS;
        compiled[type] = compileTemplate(
          readFileSync(file, 'utf8'),
          file,
          names,
          type === 'html' ? 'html' : 'none',
        );
      }
      templates.set(kind, compiled);
    }
    cache.set(key, templates);
  }
  return templates;
}

/** Renders one alert in `language`, from the built-in templates or those in `templatesDir`. */
export function renderAlert(input: AlertInput, language: AlertLanguage, templatesDir?: string): AlertContent {
  const templates = templatesFor(language, templatesDir).get(input.kind);
  if (!templates) throw new RangeError(`alerts: unknown alert kind '${String(input.kind)}'`);
  const message = input.message === null ? null : capMessage(input.message);
  const zone = input.timezone && isKnownTimeZone(input.timezone) ? input.timezone : undefined;
  const values: Record<string, string> = {
    kind: input.kind,
    job: input.job,
    team: input.team ?? '',
    owner: input.owner ?? '',
    member: input.member ?? '',
    runId: input.runId ?? '',
    link: input.link ?? '',
    scheduledAt: input.scheduledAt === null ? '' : isoTime(input.scheduledAt),
    scheduledLocal: input.scheduledAt === null ? '' : localTime(input.scheduledAt, zone),
    timezone: zone ?? 'UTC',
    status: input.status ?? '',
    outcome: input.status === null ? '' : outcomeWords(input.status, language),
    duration: input.durationMs === null ? '' : durationWords(input.durationMs, language),
    durationMs: input.durationMs === null ? '' : String(input.durationMs),
    message: message ?? '',
    count: input.count === undefined ? '' : String(input.count),
    since: input.since === undefined ? '' : isoTime(input.since),
    sinceLocal: input.since === undefined ? '' : localTime(input.since, zone),
  };
  const subject = templates.subject(values).replace(/\s+/g, ' ').trim();
  values.subject = subject;
  const facts: Record<string, unknown> = {
    job: input.job,
    team: input.team,
    owner: input.owner,
    scheduledAt: values.scheduledAt || null,
    outcome: input.status,
    durationMs: input.durationMs,
    message,
    member: input.member,
    runId: input.runId,
    link: input.link,
  };
  if (input.count !== undefined) facts.count = input.count;
  if (input.since !== undefined) facts.since = values.since;
  if (zone !== undefined) facts.timezone = zone;
  return {
    kind: input.kind,
    subject,
    text: tidy(templates.txt(values)),
    html: templates.html(values),
    markdown: tidy(templates.md(values)),
    link: input.link,
    facts,
  };
}

/** Trailing spaces and runs of blank lines left by empty sections go; the text ends with one newline. */
function tidy(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export function capMessage(message: string): string {
  const chars = [...message.trim()];
  return chars.length <= MAX_MESSAGE_CHARS
    ? chars.join('')
    : `${chars.slice(0, MAX_MESSAGE_CHARS - 1).join('')}…`;
}

/** `2026-03-14 11:00:00 +08:00 Asia/Shanghai`, or `2026-03-14 03:00:00 UTC` without a zone. */
export function localTime(ms: number, timeZone: string | undefined): string {
  if (timeZone === undefined || timeZone === 'UTC') return `${wallClock(ms)} UTC`;
  const wall = wallClockMs(timeZone, ms);
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wallClock(wall)} ${offset} ${timeZone}`;
}

/** ISO 8601 in UTC, without the milliseconds when they are zero: `2026-03-14T03:00:00Z`. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function wallClock(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `850 ms`, `12.3 s`, `1 h 2 min 3 s`; in Chinese `850 毫秒`, `12.3 秒`, `1 小时 2 分 3 秒`. */
export function durationWords(ms: number, language: AlertLanguage): string {
  const zh = language === 'zh-CN';
  if (ms < 1000) return zh ? `${ms} 毫秒` : `${ms} ms`;
  if (ms < 60_000) {
    const seconds = Math.round(ms / 100) / 10;
    return zh ? `${seconds} 秒` : `${seconds} s`;
  }
  const total = Math.round(ms / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const units = zh ? ['天', '小时', '分', '秒'] : ['d', 'h', 'min', 's'];
  return [days, hours, minutes, seconds]
    .map((n, i) => (n > 0 ? `${n} ${units[i]}` : ''))
    .filter(Boolean)
    .join(' ');
}

const OUTCOMES: Record<AlertLanguage, Record<string, string>> = {
  en: {
    succeeded: 'succeeded',
    failed: 'failed',
    lost: 'lost (no result before the deadline)',
    missed: 'missed (never fired)',
    skipped: 'skipped',
    cancelled: 'cancelled',
    running: 'still running',
    pending: 'not started yet',
  },
  'zh-CN': {
    succeeded: '成功',
    failed: '失败',
    lost: '丢失（截止时间前未收到结果）',
    missed: '错过（未触发）',
    skipped: '已跳过',
    cancelled: '已取消',
    running: '仍在运行',
    pending: '尚未开始',
  },
};

/** A run status in words; an unknown status is shown as it is. */
export function outcomeWords(status: string, language: AlertLanguage): string {
  return OUTCOMES[language][status] ?? status;
}
