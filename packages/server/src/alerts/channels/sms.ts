/**
 * SMS through an HTTP gateway: the request (method, URL, headers, body) is a
 * template with `{{recipient}}`, `{{message}}`, `{{subject}}` and `{{text}}`.
 * Values are escaped for where they land: URL-encoded in the URL and in a
 * form body, JSON-escaped in a JSON body, as they are otherwise.
 *
 * The `signed` preset adds the headers of a common signed-request gateway
 * style: `X-App-Key`, `X-Timestamp` (unix ms), `X-Nonce` (32 hex digits) and
 * `X-Signature` = hex HMAC-SHA256(appSecret, "<appKey>\n<timestamp>\n<nonce>\n<body>")
 * (the body exactly as sent, empty for GET).
 *
 * Any 2xx is success; the body is not read, since every gateway words it differently.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AlertContent, Channel } from '../channel.js';
import { ChannelError } from '../channel-errors.js';
import { HttpSender, mergeHeaders, requireSuccessStatus } from './http-sender.js';
import { checkHttpUrl, compact, SettingsReader } from './settings-reader.js';

export const SMS_PLACEHOLDERS = ['recipient', 'message', 'subject', 'text'] as const;
type SmsPlaceholder = (typeof SMS_PLACEHOLDERS)[number];

export const DEFAULT_SMS_BODY_TEMPLATE = '{"to":"{{recipient}}","message":"{{message}}"}';

export interface SmsSettings {
  config: {
    /** HTTP method. Default 'POST'. */
    method: 'POST' | 'PUT' | 'GET';
    /** Gateway URL; may hold placeholders (URL-encoded). Required. */
    url: string;
    /** Request headers shown to admins. Default none. */
    headers: Record<string, string>;
    /** Request body with placeholders; not sent with GET. Default `{"to":"{{recipient}}","message":"{{message}}"}`. */
    bodyTemplate: string;
    /** The body's Content-Type; decides how values are escaped. Default 'application/json'. */
    contentType: string;
    /** 'signed' adds X-App-Key, X-Timestamp, X-Nonce and X-Signature. Default none. */
    preset?: 'signed';
  };
  secret: {
    /** Request headers kept secret (`Authorization`); they win over `config.headers`. Default none. */
    headers: Record<string, string>;
    /** The `signed` preset's app key (sent as X-App-Key). Required with it. */
    appKey?: string;
    /** The `signed` preset's HMAC key. Required with it. */
    appSecret?: string;
  };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(SMS_PLACEHOLDERS as readonly string[]).includes(name));
}

type Escape = (value: string) => string;

function bodyEscape(contentType: string): Escape {
  const type = contentType.toLowerCase();
  if (type.includes('json')) return (value) => JSON.stringify(value).slice(1, -1);
  if (type.includes('x-www-form-urlencoded')) return encodeURIComponent;
  return (value) => value;
}

/** `template` with each placeholder replaced by its escaped value. */
export function fillSmsTemplate(
  template: string,
  values: Record<SmsPlaceholder, string>,
  escapeValue: Escape,
): string {
  return template.replace(PLACEHOLDER, (_all, name: string) =>
    escapeValue(values[name as SmsPlaceholder] ?? ''),
  );
}

export function parseSmsSettings(config: unknown, secret: unknown): SmsSettings {
  const c = new SettingsReader('config', config);
  const method = c.oneOf('method', ['POST', 'PUT', 'GET'] as const, 'POST');
  const url = c.string('url', { required: true });
  const headers = c.headers('headers');
  const bodyTemplate = c.string('bodyTemplate', { default: DEFAULT_SMS_BODY_TEMPLATE, trim: false });
  const contentType = c.string('contentType', { default: 'application/json' });
  const preset = c.oneOf('preset', ['signed'] as const);
  c.rejectUnknown();
  if (/[\r\n]/.test(contentType)) c.fail('contentType', 'must not contain line breaks');

  const sample: Record<SmsPlaceholder, string> = {
    recipient: '+8613800000000',
    message: 'a "quoted" line\nand another',
    subject: 'subject',
    text: 'text',
  };
  for (const [name, template] of [
    ['url', url],
    ['bodyTemplate', bodyTemplate],
  ] as const) {
    const unknown = unknownPlaceholders(template);
    if (unknown.length) {
      c.fail(
        name,
        `unknown placeholder {{${unknown[0]}}}; use ${SMS_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
  }
  checkHttpUrl(fillSmsTemplate(url, sample, encodeURIComponent), () => c.field('url'));
  if (method !== 'GET' && contentType.toLowerCase().includes('json')) {
    try {
      JSON.parse(fillSmsTemplate(bodyTemplate, sample, bodyEscape(contentType)));
    } catch {
      c.fail(
        'bodyTemplate',
        `is not valid JSON once its placeholders are filled in (contentType is ${contentType})`,
      );
    }
  }

  const s = new SettingsReader('secret', secret);
  const secretHeaders = s.headers('headers');
  const appKey = s.string('appKey');
  const appSecret = s.string('appSecret', { trim: false });
  s.rejectUnknown();
  if (preset === 'signed') {
    if (appKey === undefined) s.fail('appKey', "is required with preset 'signed'");
    if (appSecret === undefined) s.fail('appSecret', "is required with preset 'signed'");
  }
  return {
    config: compact({ method, url, headers, bodyTemplate, contentType, preset }),
    secret: compact({ headers: secretHeaders, appKey, appSecret }),
  };
}

/** The `signed` preset's headers for a body. */
export function smsSignedHeaders(
  appKey: string,
  appSecret: string,
  body: string,
  timestampMs: number,
  nonce: string,
): Record<string, string> {
  const signature = createHmac('sha256', appSecret)
    .update(`${appKey}\n${timestampMs}\n${nonce}\n${body}`, 'utf8')
    .digest('hex');
  return {
    'x-app-key': appKey,
    'x-timestamp': String(timestampMs),
    'x-nonce': nonce,
    'x-signature': signature,
  };
}

/** What `{{message}}` says: the subject, and the link to the run when there is one. */
export function smsMessage(content: AlertContent): string {
  return content.link ? `${content.subject} ${content.link}` : content.subject;
}

export function createSmsChannel(settings: SmsSettings, timeoutMs: number): Channel {
  const http = new HttpSender(timeoutMs);
  const { method, url, bodyTemplate, contentType, preset } = settings.config;
  const baseHeaders = mergeHeaders(settings.config.headers, settings.secret.headers);
  const escapeBody = bodyEscape(contentType);
  return {
    type: 'sms',
    async send(content, recipient, signal) {
      if (!recipient.trim()) throw new ChannelError('sms: no phone number to send to', false);
      const values = {
        recipient: recipient.trim(),
        message: smsMessage(content),
        subject: content.subject,
        text: content.text,
      };
      const target = fillSmsTemplate(url, values, encodeURIComponent);
      const body = method === 'GET' ? null : fillSmsTemplate(bodyTemplate, values, escapeBody);
      let headers = body === null ? baseHeaders : mergeHeaders({ 'content-type': contentType }, baseHeaders);
      if (preset === 'signed') {
        const { appKey = '', appSecret = '' } = settings.secret;
        const signed = smsSignedHeaders(
          appKey,
          appSecret,
          body ?? '',
          Date.now(),
          randomBytes(16).toString('hex'),
        );
        headers = mergeHeaders(headers, signed);
      }
      const answer = await http.send({ url: target, method, headers, body }, signal);
      requireSuccessStatus(answer, target);
    },
    close: () => http.close(),
  };
}
