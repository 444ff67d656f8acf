import { describe, expect, it } from 'vitest';
import { normaliseRecipients, parseRecipient, suggestRecipients } from './recipients';

describe('parseRecipient', () => {
  it('takes the five forms', () => {
    expect(parseRecipient('user:alice')).toEqual({
      ok: true,
      kind: 'user',
      value: 'alice',
      text: 'user:alice',
    });
    expect(parseRecipient('team:billing.ops')).toMatchObject({ ok: true, kind: 'team' });
    expect(parseRecipient('email:Ops@Example.com')).toMatchObject({ ok: true, value: 'Ops@Example.com' });
    expect(parseRecipient('sms:+8613800000000')).toMatchObject({ ok: true, kind: 'sms' });
    expect(parseRecipient('sms:010-1234(5)')).toMatchObject({ ok: true });
    expect(parseRecipient('channel:ops-dingtalk')).toMatchObject({ ok: true, kind: 'channel' });
  });

  it('trims and lower-cases the kind, not the value', () => {
    expect(parseRecipient('  Email: Ops@x.io ')).toEqual({
      ok: true,
      kind: 'email',
      value: 'Ops@x.io',
      text: 'email:Ops@x.io',
    });
  });

  it('names what is wrong', () => {
    expect(parseRecipient('alice')).toMatchObject({ ok: false, problem: 'noKind' });
    expect(parseRecipient('slack:ops')).toMatchObject({ ok: false, problem: 'unknownKind' });
    expect(parseRecipient('user:')).toMatchObject({ ok: false, problem: 'empty' });
    expect(parseRecipient('user:Alice')).toMatchObject({ ok: false, problem: 'name' });
    expect(parseRecipient('team:-ops')).toMatchObject({ ok: false, problem: 'name' });
    expect(parseRecipient('channel:ops hook')).toMatchObject({ ok: false, problem: 'name' });
    expect(parseRecipient('email:ops@localhost')).toMatchObject({ ok: false, problem: 'email' });
    expect(parseRecipient('email:ops')).toMatchObject({ ok: false, problem: 'email' });
    expect(parseRecipient('sms:call-me')).toMatchObject({ ok: false, problem: 'phone' });
    expect(parseRecipient('sms:12')).toMatchObject({ ok: false, problem: 'phone' });
    expect(parseRecipient(`email:${'a'.repeat(250)}@x.io`)).toMatchObject({ ok: false, problem: 'tooLong' });
  });
});

describe('normaliseRecipients', () => {
  it('normalises, drops blanks and duplicates, and reports the first refused one', () => {
    expect(normaliseRecipients(['Team:ops', 'team:ops', ' ', 'user:bob', 'bob', 'sms:x'])).toEqual({
      recipients: ['team:ops', 'user:bob', 'bob', 'sms:x'],
      invalid: { ok: false, text: 'bob', problem: 'noKind' },
    });
    expect(normaliseRecipients(['user:a', 'email:a@b.cn'])).toEqual({
      recipients: ['user:a', 'email:a@b.cn'],
      invalid: null,
    });
  });
});

describe('suggestRecipients', () => {
  const known = {
    users: [
      { name: 'alice', displayName: 'Alice Chen' },
      { name: 'bob', displayName: null },
    ],
    teams: [{ name: 'billing', description: 'Payments' }],
    channels: [{ name: 'ops-hook', type: 'webhook' }],
  };

  it('offers users, teams and channels, users first', () => {
    expect(suggestRecipients('', known).map((s) => s.value)).toEqual([
      'user:alice',
      'user:bob',
      'team:billing',
      'channel:ops-hook',
    ]);
  });

  it('matches the recipient text or the hint, in any case', () => {
    expect(suggestRecipients('CHEN', known).map((s) => s.value)).toEqual(['user:alice']);
    expect(suggestRecipients('team:', known).map((s) => s.value)).toEqual(['team:billing']);
    expect(suggestRecipients('webhook', known).map((s) => s.value)).toEqual(['channel:ops-hook']);
    expect(suggestRecipients('b', known, 1)).toHaveLength(1);
  });
});
