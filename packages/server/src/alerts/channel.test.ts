import { describe, expect, it } from 'vitest';
import {
  CHANNEL_TYPES,
  ChannelConfigError,
  type ChannelType,
  createChannel,
  parseChannelSettings,
} from './channel.js';
import { DEFAULT_SMS_BODY_TEMPLATE } from './channels/sms.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChannelConfigError) {
      expect(err.message.startsWith(`${err.field}: `)).toBe(true);
      return err.field;
    }
    throw err;
  }
  throw new Error('no ChannelConfigError thrown');
}

const VALID: Record<ChannelType, { config: unknown; secret: unknown }> = {
  email: { config: { host: 'smtp.example.com', from: 'JobCenter <jc@example.com>' }, secret: {} },
  sms: { config: { url: 'https://sms.example.com/send' }, secret: {} },
  dingtalk: { config: {}, secret: { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=t' } },
  feishu: { config: {}, secret: { webhook: 'https://open.feishu.cn/open-apis/bot/v2/hook/h' } },
  wecom: { config: {}, secret: { webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } },
  slack: { config: {}, secret: { webhook: 'https://hooks.slack.com/services/T/B/x' } },
  webhook: { config: { url: 'https://hooks.example.com/jc' }, secret: { secret: 'a-long-enough-secret' } },
};

describe('parseChannelSettings', () => {
  it('fills in the documented defaults', () => {
    expect(parseChannelSettings('email', VALID.email.config, VALID.email.secret)).toEqual({
      config: {
        host: 'smtp.example.com',
        port: 587,
        tls: 'starttls',
        from: 'JobCenter <jc@example.com>',
        rejectUnauthorized: true,
      },
      secret: {},
    });
    expect(parseChannelSettings('sms', VALID.sms.config, undefined)).toEqual({
      config: {
        method: 'POST',
        url: 'https://sms.example.com/send',
        headers: {},
        bodyTemplate: DEFAULT_SMS_BODY_TEMPLATE,
        contentType: 'application/json',
      },
      secret: { headers: {} },
    });
    expect(parseChannelSettings('webhook', VALID.webhook.config, VALID.webhook.secret)).toEqual({
      config: { url: 'https://hooks.example.com/jc', headers: {} },
      secret: { secret: 'a-long-enough-secret', headers: {} },
    });
  });

  it.each(CHANNEL_TYPES)('accepts minimal %s settings and builds a channel from them', async (type) => {
    const parsed = parseChannelSettings(type, VALID[type].config, VALID[type].secret);
    expect(parseChannelSettings(type, parsed.config, parsed.secret)).toEqual(parsed);
    const channel = createChannel(type, parsed.config, parsed.secret, { timeoutMs: 1000 });
    expect(channel.type).toBe(type);
    await channel.close();
  });

  it.each([
    ['email', { host: 'h', from: 'a@b.c', port: 0 }, {}, 'config.port'],
    ['email', { host: 'h', from: 'a@b.c', port: '25' }, {}, 'config.port'],
    ['email', { from: 'a@b.c' }, {}, 'config.host'],
    ['email', { host: 'h', from: 'not an address' }, {}, 'config.from'],
    ['email', { host: 'h', from: 'a@b.c', tls: 'ssl' }, {}, 'config.tls'],
    ['email', { host: 'h', from: 'a@b.c', rejectUnauthorized: 'no' }, {}, 'config.rejectUnauthorized'],
    ['email', { host: 'h', from: 'a@b.c', user: 'u' }, {}, 'secret.password'],
    ['email', { host: 'h', from: 'a@b.c' }, { password: 'p' }, 'config.user'],
    ['email', { host: 'h', from: 'a@b.c', hots: 'x' }, {}, 'config.hots'],
    ['email', 'smtp://h', {}, 'config'],
    ['sms', { url: 'ftp://x' }, {}, 'config.url'],
    ['sms', { url: 'https://x/{{phone}}' }, {}, 'config.url'],
    ['sms', { url: 'https://x', method: 'PATCH' }, {}, 'config.method'],
    ['sms', { url: 'https://x', bodyTemplate: '{"to":"{{to}}"}' }, {}, 'config.bodyTemplate'],
    ['sms', { url: 'https://x', bodyTemplate: '{"to":{{recipient}}}' }, {}, 'config.bodyTemplate'],
    ['sms', { url: 'https://x', headers: { 'Bad Name': 'v' } }, {}, 'config.headers.Bad Name'],
    ['sms', { url: 'https://x', headers: { X: 'a\r\nInjected: 1' } }, {}, 'config.headers.X'],
    ['sms', { url: 'https://x', preset: 'hmac' }, {}, 'config.preset'],
    ['sms', { url: 'https://x', preset: 'signed' }, { appSecret: 's' }, 'secret.appKey'],
    ['sms', { url: 'https://x', preset: 'signed' }, { appKey: 'k' }, 'secret.appSecret'],
    ['dingtalk', {}, {}, 'secret.webhook'],
    ['dingtalk', {}, { webhook: 'not a url' }, 'secret.webhook'],
    ['dingtalk', {}, { webhook: 'https://x', secret: 'abc' }, 'secret.secret'],
    ['dingtalk', { webhook: 'https://x' }, {}, 'config.webhook'],
    ['feishu', {}, { webhook: 'https://x', sign: 'x' }, 'secret.sign'],
    ['wecom', {}, { webhook: 42 }, 'secret.webhook'],
    ['slack', {}, [], 'secret'],
    ['webhook', { url: 'https://x' }, { secret: 'short' }, 'secret.secret'],
    ['webhook', { url: 'https://x' }, {}, 'secret.secret'],
    ['webhook', {}, { secret: 'a-long-enough-secret' }, 'config.url'],
  ] as const)('%s %j %j: names %s', (type, config, secret, field) => {
    expect(fieldOf(() => parseChannelSettings(type, config, secret))).toBe(field);
  });

  it('says what is expected in the message', () => {
    expect(() => parseChannelSettings('email', { host: 'h', from: 'a@b.c', port: 70000 }, {})).toThrow(
      'config.port: must be an integer from 1 to 65535',
    );
    expect(() => parseChannelSettings('sms', { url: 'https://x', bodyTemplate: '{{to}}' }, {})).toThrow(
      'config.bodyTemplate: unknown placeholder {{to}}; use {{recipient}}, {{message}}, {{subject}}, {{text}}',
    );
    expect(() => parseChannelSettings('email', { host: 'h', from: 'a@b.c', hots: 1 }, {})).toThrow(
      'config.hots: unknown setting; expected host, port, tls, from, user, rejectUnauthorized',
    );
  });

  it('refuses an unknown type', () => {
    expect(fieldOf(() => parseChannelSettings('pager' as ChannelType, {}, {}))).toBe('type');
  });
});
