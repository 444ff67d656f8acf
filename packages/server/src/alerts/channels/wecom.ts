/**
 * WeCom group robot (企业微信群机器人): a markdown message posted to the robot's
 * webhook (the `key` in its URL is the credential). Success is `{"errcode":0}`.
 */
import type { AlertContent, Channel } from '../channel.js';
import { truncateUtf8 } from './chat-text.js';
import { HttpSender, JSON_HEADERS, readJsonAnswer, requireZeroCode } from './http-sender.js';
import { SettingsReader } from './settings-reader.js';

export interface WecomSettings {
  config: Record<string, never>;
  secret: {
    /** The robot's webhook, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`. Required. */
    webhook: string;
  };
}

/** -1: system busy; 45009: over the rate limit (20 messages a minute). */
const RETRYABLE_ERRCODES = [-1, 45009] as const;

/** WeCom refuses markdown content over 4096 bytes of UTF-8. */
const MAX_CONTENT_BYTES = 4096;

export function parseWecomSettings(config: unknown, secret: unknown): WecomSettings {
  new SettingsReader('config', config).rejectUnknown();
  const s = new SettingsReader('secret', secret);
  const webhook = s.url('webhook', { required: true });
  s.rejectUnknown();
  return { config: {}, secret: { webhook } };
}

export function wecomBody(content: AlertContent): string {
  const text = truncateUtf8(`**${content.subject}**\n${content.markdown}`, MAX_CONTENT_BYTES);
  return JSON.stringify({ msgtype: 'markdown', markdown: { content: text } });
}

export function createWecomChannel(settings: WecomSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { webhook } = settings.secret;
  return {
    type: 'wecom',
    async send(content, _recipient, signal) {
      const answer = await http.send(
        { url: webhook, method: 'POST', headers: { ...JSON_HEADERS }, body: wecomBody(content) },
        signal,
      );
      const json = readJsonAnswer(answer, webhook);
      requireZeroCode(json.errcode, json.errmsg, webhook, RETRYABLE_ERRCODES);
    },
    close: () => http.close(),
  };
}
