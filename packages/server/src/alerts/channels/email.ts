/**
 * Email over SMTP with nodemailer: one pooled transport per channel, a
 * multipart message (text and HTML) per recipient. `tls` picks the
 * connection's security: 'implicit' (TLS from the first byte, usually port
 * 465), 'starttls' (plain connect, then STARTTLS, which must succeed; usually
 * port 587) or 'none' (never upgrade, for a relay on a trusted network).
 */
import type { Transporter } from 'nodemailer';
import type { Channel } from '../channel.js';
import { ChannelError } from '../channel-errors.js';
import { compact, SettingsReader } from './settings-reader.js';

export interface EmailSettings {
  config: {
    /** SMTP server host name or address. Required. */
    host: string;
    /** SMTP port. Default 587. */
    port: number;
    /** Connection security: 'implicit', 'starttls' or 'none'. Default 'starttls'. */
    tls: 'implicit' | 'starttls' | 'none';
    /** Sender, `alerts@example.com` or `JobCenter <alerts@example.com>`. Required. */
    from: string;
    /** SMTP user name; no authentication when absent. Default none. */
    user?: string;
    /** Refuse a server certificate that does not verify (set false only for a self-signed test relay). Default true. */
    rejectUnauthorized: boolean;
  };
  secret: {
    /** SMTP password; required with `config.user`. */
    password?: string;
  };
}

/** Connections a channel's pool keeps open at most. */
const MAX_CONNECTIONS = 3;

/** `local@domain`, alone or in angle brackets after a display name. */
const ADDRESS = /^(?:[^<>\r\n]*<\s*[^\s<>@]+@[^\s<>@]+\s*>|[^\s<>@]+@[^\s<>@]+)$/;

export function parseEmailSettings(config: unknown, secret: unknown): EmailSettings {
  const c = new SettingsReader('config', config);
  const host = c.string('host', { required: true });
  const port = c.integer('port', { default: 587, min: 1, max: 65535 });
  const tls = c.oneOf('tls', ['implicit', 'starttls', 'none'] as const, 'starttls');
  const from = c.string('from', { required: true });
  const user = c.string('user');
  const rejectUnauthorized = c.boolean('rejectUnauthorized', true);
  c.rejectUnknown();
  if (!ADDRESS.test(from))
    c.fail('from', "must be an email address, as 'alerts@example.com' or 'Name <alerts@example.com>'");

  const s = new SettingsReader('secret', secret);
  const password = s.string('password', { trim: false });
  s.rejectUnknown();
  if (user !== undefined && password === undefined) s.fail('password', 'is required when config.user is set');
  if (user === undefined && password !== undefined) c.fail('user', 'is required when secret.password is set');
  return {
    config: compact({ host, port, tls, from, user, rejectUnauthorized }),
    secret: compact({ password }),
  };
}

export function createEmailChannel(settings: EmailSettings, timeoutMs: number): Channel {
  const { host, port, tls, from, user, rejectUnauthorized } = settings.config;
  // nodemailer is loaded, and the pool made, at the first send: a server without email channels
  // (or one that never alerts) does not carry it (about 15 MB).
  let transport: Promise<Transporter> | null = null;
  const transportOf = () =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        pool: true,
        maxConnections: MAX_CONNECTIONS,
        // The alert outbox retries; a message is not requeued inside the pool as well.
        maxRequeues: 0,
        host,
        port,
        secure: tls === 'implicit',
        requireTLS: tls === 'starttls',
        ignoreTLS: tls === 'none',
        tls: { rejectUnauthorized },
        auth: user !== undefined ? { user, pass: settings.secret.password ?? '' } : undefined,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
      }),
    ));
  const where = `smtp ${host}:${port}`;
  return {
    type: 'email',
    async send(content, recipient, signal) {
      const to = recipient.trim();
      if (!to) throw new ChannelError('email: no address to send to', false);
      if (!ADDRESS.test(to)) throw new ChannelError(`email: '${to}' is not an email address`, false);
      const deadline = AbortSignal.timeout(timeoutMs);
      try {
        await (await transportOf()).sendMail({
          from,
          to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          signal: AbortSignal.any([signal, deadline]),
        });
      } catch (err) {
        if (signal.aborted) throw new ChannelError(`${where}: sending was cancelled`, true);
        if (deadline.aborted) throw new ChannelError(`${where}: not sent within ${timeoutMs} ms`, true);
        throw smtpError(where, err);
      }
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}

/** Codes of failures a later try may get past: the connection, not the settings or the message. */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'EMAXLIMIT']);
/** Codes of failures that will repeat until an admin changes something. */
const FINAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EMAXRECIPIENTS']);

/** Node's codes for a server certificate that does not verify (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`…). */
const CERTIFICATE_CODE = /CERT|UNABLE_TO_|^ERR_TLS_|^ERR_SSL_/;

/**
 * A nodemailer error as a ChannelError. An SMTP reply decides when there is
 * one (4xx: try again later; 5xx: refused for good); otherwise the error code.
 */
export function smtpError(where: string, err: unknown): ChannelError {
  const e = (err ?? {}) as {
    code?: unknown;
    originalCode?: unknown;
    responseCode?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  // Nodemailer files socket errors under ESOCKET and keeps the system's own code (a TLS verification failure) aside.
  const original = typeof e.originalCode === 'string' ? e.originalCode : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const text = `${where}: ${[code, original, message].filter(Boolean).join(' ')}`;
  if (FINAL_CODES.has(code) || CERTIFICATE_CODE.test(original)) return new ChannelError(text, false);
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new ChannelError(text, e.responseCode < 500);
  }
  return new ChannelError(text, RETRYABLE_CODES.has(code) || code === '');
}
