import { describe, expect, it } from 'vitest';
import type { AlertChannel } from '../../api/types';
import { en } from '../../i18n/en';
import { CHANNEL_FIELDS, SMS_BODY_TEMPLATE } from './channel-fields';
import {
  ChannelFormError,
  channelFormFieldOf,
  toChannelFormValues,
  toChannelInput,
} from './channel-form-values';

const mail: AlertChannel = {
  name: 'ops-mail',
  type: 'email',
  config: { host: 'smtp.example.com', port: 465, tls: 'implicit', from: 'jobcenter@example.com', pool: true },
  secretSet: ['password'],
  enabled: true,
  default: true,
  createdAt: '2026-11-25T00:00:00.000Z',
  updatedAt: '2026-11-25T00:00:00.000Z',
};

describe('channel form values', () => {
  it('start a new channel from the documented defaults', () => {
    const values = toChannelFormValues(null, 'email');
    expect(values.config).toEqual({
      host: '',
      port: 587,
      tls: 'starttls',
      from: '',
      user: '',
      rejectUnauthorized: true,
    });
    expect(values.secret).toEqual({ password: '' });
    expect(toChannelFormValues(null, 'sms').config).toMatchObject({
      method: 'POST',
      contentType: 'application/json',
      bodyTemplate: SMS_BODY_TEMPLATE,
      headers: [],
    });
  });

  it('give back the stored channel, keeping its credentials when none is typed', () => {
    const values = toChannelFormValues(mail, 'email');
    expect(values.moreConfigText).toBe('{\n  "pool": true\n}');
    expect(toChannelInput(values)).toEqual({
      name: 'ops-mail',
      type: 'email',
      config: {
        host: 'smtp.example.com',
        port: 465,
        tls: 'implicit',
        from: 'jobcenter@example.com',
        rejectUnauthorized: true,
        pool: true,
      },
      enabled: true,
      default: true,
    });
  });

  it('send the credentials typed, and only those', () => {
    const values = toChannelFormValues(mail, 'email');
    values.secret.password = 'hunter2';
    expect(toChannelInput(values).secret).toEqual({ password: 'hunter2' });

    const sms = toChannelFormValues(null, 'sms');
    sms.name = ' gateway ';
    sms.config.url = ' https://sms.example.com/send ';
    sms.config.preset = 'signed';
    sms.config.headers = [
      { name: 'X-Tenant', value: 'ops' },
      { name: ' ', value: 'dropped' },
    ];
    sms.secret.appKey = 'key-1';
    sms.secret.headers = [{ name: 'Authorization', value: 'Bearer t' }];
    sms.moreSecretText = '{"region": "cn"}';
    expect(toChannelInput(sms)).toEqual({
      name: 'gateway',
      type: 'sms',
      config: {
        preset: 'signed',
        method: 'POST',
        url: 'https://sms.example.com/send',
        contentType: 'application/json',
        bodyTemplate: SMS_BODY_TEMPLATE,
        headers: { 'X-Tenant': 'ops' },
      },
      secret: { region: 'cn', appKey: 'key-1', headers: { Authorization: 'Bearer t' } },
      enabled: true,
      default: false,
    });
  });

  it('map a chat robot and a webhook to secret and config', () => {
    const robot = toChannelFormValues(null, 'dingtalk');
    robot.name = 'ops-ding';
    robot.secret.webhook = 'https://oapi.dingtalk.com/robot/send?access_token=x';
    robot.isDefault = true;
    expect(toChannelInput(robot)).toEqual({
      name: 'ops-ding',
      type: 'dingtalk',
      config: {},
      secret: { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x' },
      enabled: true,
      // Only email and SMS channels serve as a default.
      default: false,
    });
    const hook = toChannelFormValues(null, 'webhook');
    hook.config.url = 'http://127.0.0.1:9000/alerts';
    hook.secret.secret = 's3cret';
    expect(toChannelInput(hook)).toMatchObject({
      config: { url: 'http://127.0.0.1:9000/alerts' },
      secret: { secret: 's3cret' },
    });
  });

  it('refuse other settings that are not a JSON object', () => {
    const values = toChannelFormValues(null, 'slack');
    values.moreConfigText = '[1]';
    expect(() => toChannelInput(values)).toThrow(ChannelFormError);
    values.moreConfigText = '';
    values.moreSecretText = '{';
    expect(() => toChannelInput(values)).toThrow(expect.objectContaining({ field: ['moreSecretText'] }));
  });

  it('place an API field error on its field', () => {
    expect(channelFormFieldOf('email', 'config.port')).toEqual(['config', 'port']);
    expect(channelFormFieldOf('email', 'config.pool')).toEqual(['moreConfigText']);
    expect(channelFormFieldOf('dingtalk', 'secret.webhook')).toEqual(['secret', 'webhook']);
    expect(channelFormFieldOf('dingtalk', 'secret.region')).toEqual(['moreSecretText']);
    expect(channelFormFieldOf('email', 'name')).toEqual(['name']);
    expect(channelFormFieldOf('email', 'default')).toEqual(['isDefault']);
    expect(channelFormFieldOf('email', undefined)).toBeNull();
    expect(channelFormFieldOf('email', 'recipient')).toBeNull();
  });

  it('have a label and help in English for every setting', () => {
    type Tree = Record<string, Record<string, Record<string, string>>>;
    const labels = en.channels.fields as Tree;
    const help = en.channels.help as Tree;
    for (const [type, fields] of Object.entries(CHANNEL_FIELDS)) {
      for (const field of fields) {
        expect(labels[type]?.[field.in]?.[field.key], `${type} ${field.in}.${field.key}`).toBeTruthy();
        expect(help[type]?.[field.in]?.[field.key], `${type} ${field.in}.${field.key}`).toBeTruthy();
      }
    }
  });
});
