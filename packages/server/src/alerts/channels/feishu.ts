/**
 * Feishu / Lark custom bot (飞书自定义机器人): an interactive card whose header
 * is the subject and whose body is the alert's markdown (`lark_md`). With
 * "签名校验", the body carries `timestamp` (unix seconds, as a string) and
 * `sign` = base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = "")), as
 * Feishu documents it (the key is the string to sign; the message is empty).
 * Success is `{"code":0}`, or `{"StatusCode":0}` from older deployments.
 */
import { createHmac } from 'node:crypto';
import type { AlertContent, Channel } from '../channel.js';
import { truncateUtf8 } from './chat-text.js';
import { HttpSender, JSON_HEADERS, readJsonAnswer, requireZeroCode } from './http-sender.js';
import { compact, SettingsReader } from './settings-reader.js';

export interface FeishuSettings {
  config: Record<string, never>;
  secret: {
    /** The bot's webhook, `https://open.feishu.cn/open-apis/bot/v2/hook/…` (Lark: `open.larksuite.com`). Required. */
    webhook: string;
    /** The bot's signature secret, when the bot uses 签名校验. No default. */
    secret?: string;
  };
}

/** 11232: rate limited (more than 100 messages a minute or 5 a second). */
const RETRYABLE_CODES = [11232] as const;

/** A card may be at most 30 KB; the markdown is kept well under it. */
const MAX_MARKDOWN_BYTES = 20_000;

export function parseFeishuSettings(config: unknown, secret: unknown): FeishuSettings {
  new SettingsReader('config', config).rejectUnknown();
  const s = new SettingsReader('secret', secret);
  const webhook = s.url('webhook', { required: true });
  const sign = s.string('secret');
  s.rejectUnknown();
  return { config: {}, secret: compact({ webhook, secret: sign }) };
}

/** `sign` for a timestamp in seconds: base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = "")). */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

/** Card header colour: green for good news, blue for tests and digests, red otherwise. */
function headerColour(kind: AlertContent['kind']): string {
  if (kind === 'recovered') return 'green';
  if (kind === 'test' || kind === 'digest') return 'blue';
  if (kind === 'timeout' || kind === 'skipped') return 'orange';
  return 'red';
}

export function feishuBody(
  content: AlertContent,
  signed: { secret: string; timestampSec: number } | null,
): string {
  const card = {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: content.subject }, template: headerColour(content.kind) },
    elements: [
      { tag: 'div', text: { tag: 'lark_md', content: truncateUtf8(content.markdown, MAX_MARKDOWN_BYTES) } },
    ],
  };
  const sign = signed
    ? { timestamp: String(signed.timestampSec), sign: feishuSign(signed.secret, signed.timestampSec) }
    : {};
  return JSON.stringify({ ...sign, msg_type: 'interactive', card });
}

export function createFeishuChannel(settings: FeishuSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { webhook, secret } = settings.secret;
  return {
    type: 'feishu',
    async send(content, _recipient, signal) {
      const signed = secret ? { secret, timestampSec: Math.floor(Date.now() / 1000) } : null;
      const answer = await http.send(
        { url: webhook, method: 'POST', headers: { ...JSON_HEADERS }, body: feishuBody(content, signed) },
        signal,
      );
      const json = readJsonAnswer(answer, webhook);
      if ('code' in json) requireZeroCode(json.code, json.msg, webhook, RETRYABLE_CODES);
      else requireZeroCode(json.StatusCode, json.StatusMessage, webhook, RETRYABLE_CODES);
    },
    close: () => http.close(),
  };
}
