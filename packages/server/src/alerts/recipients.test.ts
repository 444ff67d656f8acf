import { describe, expect, it } from 'vitest';
import { mentioned, type RecipientDirectory, resolveRecipients } from './recipients.js';

const DIR: RecipientDirectory = {
  users: new Map([
    ['alice', { email: 'alice@x.org', phone: '+100', disabled: false }],
    ['bob', { email: 'bob@x.org', phone: null, disabled: false }],
    ['carl', { email: null, phone: null, disabled: false }],
    ['dora', { email: 'd@x.org', phone: null, disabled: true }],
  ]),
  teams: new Map([['billing', ['alice', 'bob']]]),
  channels: new Map([
    ['mail', { type: 'email' }],
    ['sms', { type: 'sms' }],
    ['ops-dingtalk', { type: 'dingtalk' }],
  ]),
  defaultEmail: 'mail',
  defaultSms: 'sms',
};

describe('recipients', () => {
  it('reaches users by email and phone, teams through their members, once each', () => {
    const r = resolveRecipients(
      ['user:alice', 'team:billing', 'email:ops@x.org', 'sms:+200', 'channel:ops-dingtalk'],
      DIR,
    );
    expect(r.deliveries).toEqual([
      { channel: 'mail', address: 'alice@x.org' },
      { channel: 'sms', address: '+100' },
      { channel: 'mail', address: 'bob@x.org' },
      { channel: 'mail', address: 'ops@x.org' },
      { channel: 'sms', address: '+200' },
      { channel: 'ops-dingtalk', address: '' },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('names every recipient it cannot reach', () => {
    const r = resolveRecipients(
      ['user:carl', 'user:dora', 'user:zed', 'team:none', 'channel:mail', 'channel:gone'],
      DIR,
    );
    expect(r.deliveries).toEqual([]);
    expect(r.problems.map((p) => p.recipient)).toEqual([
      'user:carl',
      'user:dora',
      'user:zed',
      'team:none',
      'channel:mail',
      'channel:gone',
    ]);
    const noDefaults = resolveRecipients(['email:a@x.org'], { ...DIR, defaultEmail: null });
    expect(noDefaults.problems[0]?.problem).toMatch(/no default email channel/);
  });

  it('lists the users and teams to load', () => {
    expect(mentioned(['user:a', 'team:t', 'email:x@y', 'user:b'])).toEqual({
      users: new Set(['a', 'b']),
      teams: new Set(['t']),
    });
  });
});
