/**
 * Generic JSON webhook: POSTs `{kind, subject, text, link, facts, sentAt}`
 * signed like JobCenter's own triggers: `X-JobCenter-Signature: t=<unix s>,
 * v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Any 2xx is success.
 */
import { signatureHeader } from '../../dispatcher/signing.js';
import type { AlertContent, Channel } from '../channel.js';
import { HttpSender, JSON_HEADERS, mergeHeaders, requireSuccessStatus } from './http-sender.js';
import { SettingsReader } from './settings-reader.js';

export interface WebhookSettings {
  config: {
    /** Where to POST. Required. */
    url: string;
    /** Extra request headers, shown to admins. Default none. */
    headers: Record<string, string>;
  };
  secret: {
    /** The HMAC key of `X-JobCenter-Signature`. Required, at least 16 characters. */
    secret: string;
    /** Extra request headers kept secret (`Authorization`); they win over `config.headers`. Default none. */
    headers: Record<string, string>;
  };
}

export function parseWebhookSettings(config: unknown, secret: unknown): WebhookSettings {
  const c = new SettingsReader('config', config);
  const url = c.url('url', { required: true });
  const headers = c.headers('headers');
  c.rejectUnknown();
  const s = new SettingsReader('secret', secret);
  const key = s.string('secret', { required: true, trim: false });
  if (key.length < 16) s.fail('secret', 'must be at least 16 characters');
  const secretHeaders = s.headers('headers');
  s.rejectUnknown();
  return { config: { url, headers }, secret: { secret: key, headers: secretHeaders } };
}

export function webhookBody(content: AlertContent, sentAtMs: number): string {
  return JSON.stringify({
    kind: content.kind,
    subject: content.subject,
    text: content.text,
    link: content.link,
    facts: content.facts,
    sentAt: new Date(sentAtMs).toISOString(),
  });
}

export function createWebhookChannel(settings: WebhookSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { url } = settings.config;
  const extraHeaders = mergeHeaders(settings.config.headers, settings.secret.headers);
  return {
    type: 'webhook',
    async send(content, _recipient, signal) {
      const now = Date.now();
      const body = webhookBody(content, now);
      const headers = mergeHeaders(extraHeaders, JSON_HEADERS, {
        'x-jobcenter-signature': signatureHeader(settings.secret.secret, body, Math.floor(now / 1000)),
      });
      const answer = await http.send({ url, method: 'POST', headers, body }, signal);
      requireSuccessStatus(answer, url);
    },
    close: () => http.close(),
  };
}
