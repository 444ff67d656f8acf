/**
 * Alert channels: how a rendered alert reaches people. Each channel type has
 * one module in `channels/` with the same two functions, `parse…Settings` and
 * `create…Channel`; this file is the only place that switches on the type.
 * Settings are documented, with their defaults, in `docs/alerts.md`.
 */
import { ChannelConfigError, ChannelError } from './channel-errors.js';
import { createDingtalkChannel, parseDingtalkSettings } from './channels/dingtalk.js';
import { createEmailChannel, parseEmailSettings } from './channels/email.js';
import { createFeishuChannel, parseFeishuSettings } from './channels/feishu.js';
import { createSlackChannel, parseSlackSettings } from './channels/slack.js';
import { createSmsChannel, parseSmsSettings } from './channels/sms.js';
import { createWebhookChannel, parseWebhookSettings } from './channels/webhook.js';
import { createWecomChannel, parseWecomSettings } from './channels/wecom.js';

export { ChannelConfigError, ChannelError };

export const CHANNEL_TYPES = ['email', 'sms', 'dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** What an alert says, already rendered in the configured language (see `render.ts`). */
export interface AlertContent {
  kind:
    | 'failed'
    | 'notify_failed'
    | 'timeout'
    | 'missed'
    | 'skipped'
    | 'lost'
    | 'recovered'
    | 'digest'
    | 'test';
  /** One line. */
  subject: string;
  /** Plain text body. */
  text: string;
  /** HTML body (email). */
  html: string;
  /** Chat body, without the subject (DingTalk, Feishu, WeCom and Slack each add the subject their own way and adapt the markdown). */
  markdown: string;
  /** URL of the run in the console; null when there is no run or no public URL. */
  link: string | null;
  /** Structured facts for webhooks: job, team, owner, scheduledAt, outcome, durationMs, message, member, runId, link, count (digest). */
  facts: Record<string, unknown>;
}

export interface Channel {
  readonly type: ChannelType;
  /**
   * Sends to one recipient (an email address, a phone number) or, for chat and
   * webhook channels, to the channel itself (recipient ''). Rejects with a
   * ChannelError on failure; a send cut by `signal` or by the channel's timeout
   * is retryable, since the other side may or may not have taken it.
   */
  send(content: AlertContent, recipient: string, signal: AbortSignal): Promise<void>;
  /** Closes pooled connections; sends still in flight may fail. */
  close(): Promise<void>;
}

export interface ChannelOptions {
  /** The longest one send may take, in ms, from connect to the service's answer. Default 10000. */
  timeoutMs?: number;
}

/** Default of `ChannelOptions.timeoutMs`. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

/** A channel's settings as parsed: `config` may be shown to admins, `secret` never. */
export interface ChannelSettings {
  config: Record<string, unknown>;
  secret: Record<string, unknown>;
}

/**
 * Validates a channel's settings and fills in defaults. `config` is shown to
 * admins; `secret` never is (passwords, sign secrets, webhook URLs with
 * tokens). Throws a ChannelConfigError naming the field
 * (`config.port: must be an integer from 1 to 65535`).
 */
export function parseChannelSettings(type: ChannelType, config: unknown, secret: unknown): ChannelSettings {
  switch (type) {
    case 'email':
      return parseEmailSettings(config, secret);
    case 'sms':
      return parseSmsSettings(config, secret);
    case 'dingtalk':
      return parseDingtalkSettings(config, secret);
    case 'feishu':
      return parseFeishuSettings(config, secret);
    case 'wecom':
      return parseWecomSettings(config, secret);
    case 'slack':
      return parseSlackSettings(config, secret);
    case 'webhook':
      return parseWebhookSettings(config, secret);
    default:
      throw new ChannelConfigError(
        'type',
        `unknown channel type '${String(type)}'; expected ${CHANNEL_TYPES.join(', ')}`,
      );
  }
}

/**
 * A channel ready to send. The settings are validated again (as by
 * `parseChannelSettings`), so stored settings that no longer parse fail here
 * with a ChannelConfigError rather than at the first alert.
 */
export function createChannel(
  type: ChannelType,
  config: Record<string, unknown>,
  secret: Record<string, unknown>,
  options: ChannelOptions = {},
): Channel {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`createChannel: timeoutMs must be a positive integer, got ${timeoutMs}`);
  }
  switch (type) {
    case 'email':
      return createEmailChannel(parseEmailSettings(config, secret), timeoutMs);
    case 'sms':
      return createSmsChannel(parseSmsSettings(config, secret), timeoutMs);
    case 'dingtalk':
      return createDingtalkChannel(parseDingtalkSettings(config, secret), timeoutMs);
    case 'feishu':
      return createFeishuChannel(parseFeishuSettings(config, secret), timeoutMs);
    case 'wecom':
      return createWecomChannel(parseWecomSettings(config, secret), timeoutMs);
    case 'slack':
      return createSlackChannel(parseSlackSettings(config, secret), timeoutMs);
    case 'webhook':
      return createWebhookChannel(parseWebhookSettings(config, secret), timeoutMs);
    default:
      throw new ChannelConfigError(
        'type',
        `unknown channel type '${String(type)}'; expected ${CHANNEL_TYPES.join(', ')}`,
      );
  }
}
