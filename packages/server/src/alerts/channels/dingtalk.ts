/**
 * DingTalk custom robot (钉钉自定义机器人): a markdown message posted to the
 * robot's webhook. With the "加签" security setting, the URL carries
 * `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key = secret,
 * message = "<timestamp>\n<secret>"))), as DingTalk documents it. DingTalk
 * answers 200 with `{"errcode":0}` on success and another errcode on failure.
 */
import { createHmac } from 'node:crypto';
import type { AlertContent, Channel } from '../channel.js';
import { truncateUtf8 } from './chat-text.js';
import { HttpSender, JSON_HEADERS, readJsonAnswer, requireZeroCode } from './http-sender.js';
import { compact, SettingsReader } from './settings-reader.js';

export interface DingtalkSettings {
  config: Record<string, never>;
  secret: {
    /** The robot's webhook, `https://oapi.dingtalk.com/robot/send?access_token=…`. Required. */
    webhook: string;
    /** The robot's sign secret (`SEC…`), when the robot uses 加签. No default. */
    secret?: string;
  };
}

/** errcode -1: system busy; 130101: sending too fast (more than 20 messages a minute). */
const RETRYABLE_ERRCODES = [-1, 130101] as const;

/** DingTalk's markdown body limit is not documented precisely; 18 KB stays clear of what is seen in practice. */
const MAX_TEXT_BYTES = 18_000;

export function parseDingtalkSettings(config: unknown, secret: unknown): DingtalkSettings {
  new SettingsReader('config', config).rejectUnknown();
  const s = new SettingsReader('secret', secret);
  const webhook = s.url('webhook', { required: true });
  const sign = s.string('secret');
  if (sign !== undefined && !sign.startsWith('SEC')) {
    s.fail('secret', "must be the robot's sign secret, which starts with SEC");
  }
  s.rejectUnknown();
  return { config: {}, secret: compact({ webhook, secret: sign }) };
}

/** `sign` for a timestamp (ms), before URL encoding: base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The webhook with `&timestamp=<ms>&sign=<urlencoded sign>` appended. */
export function dingtalkSignedUrl(webhook: string, secret: string, timestampMs: number): string {
  const sign = encodeURIComponent(dingtalkSign(secret, timestampMs));
  return `${webhook}${webhook.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${sign}`;
}

export function dingtalkBody(content: AlertContent): string {
  const text = truncateUtf8(`#### ${content.subject}\n\n${content.markdown}`, MAX_TEXT_BYTES);
  return JSON.stringify({ msgtype: 'markdown', markdown: { title: content.subject, text } });
}

export function createDingtalkChannel(settings: DingtalkSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { webhook, secret } = settings.secret;
  return {
    type: 'dingtalk',
    async send(content, _recipient, signal) {
      const url = secret ? dingtalkSignedUrl(webhook, secret, Date.now()) : webhook;
      const answer = await http.send(
        { url, method: 'POST', headers: { ...JSON_HEADERS }, body: dingtalkBody(content) },
        signal,
      );
      const json = readJsonAnswer(answer, webhook);
      requireZeroCode(json.errcode, json.errmsg, webhook, RETRYABLE_ERRCODES);
    },
    close: () => http.close(),
  };
}
