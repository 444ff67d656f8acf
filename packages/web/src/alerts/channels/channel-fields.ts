/**
 * The settings the channel form shows for each channel type: where each
 * lives (`config`, or `secret` for credentials the API never gives back),
 * how it is edited and its default. Settings not listed here still reach
 * the API through the form's JSON fields.
 */
import type { ChannelType } from '../../api/types';

export type FieldInput =
  /** One line of text. */
  | 'text'
  | 'number'
  | 'switch'
  /** One of `options`. */
  | 'select'
  /** Several lines, monospaced: a body template. */
  | 'template'
  /** Header name → value pairs (an object in the API). */
  | 'headers'
  /** A credential: typed, never shown back. */
  | 'password';

export interface ChannelField {
  key: string;
  in: 'config' | 'secret';
  input: FieldInput;
  /** Must be given (a credential: when the channel is created, or when none is stored). */
  required?: boolean;
  default?: string | number | boolean;
  options?: readonly string[];
}

/** The SMS gateway body when none is given: JSON with the recipient and the message. */
export const SMS_BODY_TEMPLATE = '{"to": "{{recipient}}", "text": "{{message}}"}';

const webhookOnly: ChannelField[] = [{ key: 'webhook', in: 'secret', input: 'password', required: true }];
const signedRobot: ChannelField[] = [...webhookOnly, { key: 'secret', in: 'secret', input: 'password' }];

export const CHANNEL_FIELDS: Record<ChannelType, readonly ChannelField[]> = {
  email: [
    { key: 'host', in: 'config', input: 'text', required: true },
    { key: 'port', in: 'config', input: 'number', default: 587 },
    {
      key: 'tls',
      in: 'config',
      input: 'select',
      options: ['starttls', 'implicit', 'none'],
      default: 'starttls',
    },
    { key: 'from', in: 'config', input: 'text', required: true },
    { key: 'user', in: 'config', input: 'text' },
    { key: 'password', in: 'secret', input: 'password' },
    { key: 'rejectUnauthorized', in: 'config', input: 'switch', default: true },
  ],
  sms: [
    { key: 'preset', in: 'config', input: 'select', options: ['', 'signed'], default: '' },
    { key: 'method', in: 'config', input: 'select', options: ['POST', 'PUT', 'GET'], default: 'POST' },
    { key: 'url', in: 'config', input: 'text', required: true },
    { key: 'contentType', in: 'config', input: 'text', default: 'application/json' },
    { key: 'bodyTemplate', in: 'config', input: 'template', default: SMS_BODY_TEMPLATE },
    { key: 'headers', in: 'config', input: 'headers' },
    { key: 'appKey', in: 'secret', input: 'password' },
    { key: 'appSecret', in: 'secret', input: 'password' },
    { key: 'headers', in: 'secret', input: 'headers' },
  ],
  dingtalk: signedRobot,
  feishu: signedRobot,
  wecom: webhookOnly,
  slack: webhookOnly,
  webhook: [
    { key: 'url', in: 'config', input: 'text', required: true },
    { key: 'headers', in: 'config', input: 'headers' },
    { key: 'secret', in: 'secret', input: 'password', required: true },
  ],
};

/** The types whose channel can be the default one, for `email:`/`sms:` recipients and users. */
export const DEFAULTABLE: ReadonlySet<ChannelType> = new Set(['email', 'sms']);

/** The types that need an address to send a test message to. */
export const NEEDS_RECIPIENT: ReadonlySet<ChannelType> = new Set(['email', 'sms']);
