/**
 * Slack incoming webhook: `text` (the notification fallback) plus blocks (a
 * header with the subject and a mrkdwn section with the body, whose last line
 * links to the run). Slack answers 200 with the body `ok`; errors
 * come as HTTP statuses with a short reason (`invalid_payload`, `no_service`).
 */
import type { AlertContent, Channel } from '../channel.js';
import { ChannelError } from '../channel-errors.js';
import { markdownToSlack, truncateChars } from './chat-text.js';
import { excerpt, HttpSender, hostOf, JSON_HEADERS, requireSuccessStatus } from './http-sender.js';
import { SettingsReader } from './settings-reader.js';

export interface SlackSettings {
  config: Record<string, never>;
  secret: {
    /** The incoming webhook, `https://hooks.slack.com/services/T…/B…/…`. Required. */
    webhook: string;
  };
}

export function parseSlackSettings(config: unknown, secret: unknown): SlackSettings {
  new SettingsReader('config', config).rejectUnknown();
  const s = new SettingsReader('secret', secret);
  const webhook = s.url('webhook', { required: true });
  s.rejectUnknown();
  return { config: {}, secret: { webhook } };
}

export function slackBody(content: AlertContent): string {
  const blocks = [
    // Header blocks take plain text of at most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: truncateChars(content.subject, 150), emoji: false } },
    // Section text may be at most 3000 characters.
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncateChars(markdownToSlack(content.markdown), 3000) },
    },
  ];
  return JSON.stringify({ text: truncateChars(content.subject, 3000), blocks });
}

export function createSlackChannel(settings: SlackSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { webhook } = settings.secret;
  return {
    type: 'slack',
    async send(content, _recipient, signal) {
      const answer = await http.send(
        { url: webhook, method: 'POST', headers: { ...JSON_HEADERS }, body: slackBody(content) },
        signal,
      );
      requireSuccessStatus(answer, webhook);
      if (answer.body.trim() !== 'ok') {
        throw new ChannelError(
          `unexpected answer from ${hostOf(webhook)}${excerpt(answer.body) || ': empty body'}`,
          false,
        );
      }
    },
    close: () => http.close(),
  };
}
