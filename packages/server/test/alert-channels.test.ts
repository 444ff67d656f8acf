/**
 * Alert channels against real receivers on loopback: an SMTP server
 * (`smtp-server`, mails parsed with `mailparser`) and HTTP servers that check
 * each service's body and signature with implementations written here from
 * the services' own documentation, not with the code under test.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertContent,
  type Channel,
  ChannelError,
  type ChannelType,
  createChannel,
  parseChannelSettings,
} from '../src/alerts/channel.js';
import { renderAlert } from '../src/alerts/render.js';
import {
  type HttpReceiver,
  type SmtpReceiver,
  type SmtpReceiverOptions,
  startHttpReceiver,
  startSmtpReceiver,
} from './helpers/alert-receivers.js';
import { freePort } from './helpers/ports.js';

const LINK = 'https://jobs.example.com/runs/01JRUN?tab=attempts&x=1';

const content: AlertContent = renderAlert(
  {
    kind: 'failed',
    job: 'billing-nightly',
    team: 'payments',
    owner: 'alice',
    scheduledAt: Date.UTC(2026, 2, 14, 3),
    status: 'failed',
    durationMs: 83_400,
    message: 'exit 1: "db" <timeout> & retry\nsecond line',
    member: 'http://10.0.0.5:9090',
    runId: '01JRUN',
    link: LINK,
    timezone: 'Asia/Shanghai',
  },
  'en',
);

// Every channel and receiver a test opens is closed after it; a test that leaves one open fails.
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  const left = open.splice(0);
  // Channels first: a receiver waits for the connections a channel's pool still holds.
  const channels = left.filter((thing) => 'send' in thing);
  for (const thing of channels) await thing.close();
  for (const thing of left.filter((thing) => !('send' in thing)).reverse()) await thing.close();
});

function channel(
  type: ChannelType,
  config: Record<string, unknown>,
  secret: Record<string, unknown>,
  timeoutMs = 5000,
): Channel {
  const parsed = parseChannelSettings(type, config, secret);
  const ch = createChannel(type, parsed.config, parsed.secret, { timeoutMs });
  open.push(ch);
  return ch;
}

async function http(): Promise<HttpReceiver> {
  const receiver = await startHttpReceiver();
  open.push(receiver);
  return receiver;
}

async function smtp(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const receiver = await startSmtpReceiver(options);
  open.push(receiver);
  return receiver;
}

const never = () => new AbortController().signal;

/** The ChannelError a send rejects with. */
async function failure(promise: Promise<unknown>): Promise<ChannelError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelError);
    return err as ChannelError;
  }
  throw new Error('the send did not fail');
}

// biome-ignore lint/suspicious/noExplicitAny: the bodies are checked field by field against what the services document.
type Json = Record<string, any>;
function json(body: string): Json {
  return JSON.parse(body) as Json;
}

describe('email', () => {
  const from = 'JobCenter <alerts@jobs.example.com>';

  it('delivers a multipart mail over a plain connection', async () => {
    const server = await smtp({ tls: 'none' });
    const ch = channel('email', { host: '127.0.0.1', port: server.port, tls: 'none', from }, {});
    await ch.send(content, 'oncall@example.com', never());
    expect(server.mails).toHaveLength(1);
    const mail = server.mails[0]!;
    expect(mail.envelope).toEqual({ from: 'alerts@jobs.example.com', to: ['oncall@example.com'] });
    expect(mail.secure).toBe(false);
    expect(mail.parsed.subject).toBe('[JobCenter] billing-nightly failed');
    expect(mail.parsed.from?.text).toBe('"JobCenter" <alerts@jobs.example.com>');
    expect(mail.parsed.to && !Array.isArray(mail.parsed.to) ? mail.parsed.to.text : '').toBe(
      'oncall@example.com',
    );
    expect(mail.parsed.text).toContain(`Open the run in JobCenter: ${LINK}`);
    expect(mail.parsed.text).toContain('exit 1: "db" <timeout> & retry');
    expect(mail.parsed.html).toContain(`<a href="${LINK.replace(/&/g, '&amp;')}">`);
    expect(mail.parsed.html).toContain('exit 1: &quot;db&quot; &lt;timeout&gt; &amp; retry');
  });

  it('logs in with the user and password', async () => {
    const server = await smtp({ tls: 'none', auth: { user: 'jc', password: 's3cret!' } });
    const ch = channel(
      'email',
      { host: '127.0.0.1', port: server.port, tls: 'none', from, user: 'jc' },
      { password: 's3cret!' },
    );
    await ch.send(content, 'a@example.com', never());
    await ch.send(content, 'b@example.com', never());
    expect(server.mails.map((m) => [m.user, m.envelope.to[0]])).toEqual([
      ['jc', 'a@example.com'],
      ['jc', 'b@example.com'],
    ]);
  });

  it('fails for good on a wrong password', async () => {
    const server = await smtp({ tls: 'none', auth: { user: 'jc', password: 'right' } });
    const ch = channel(
      'email',
      { host: '127.0.0.1', port: server.port, tls: 'none', from, user: 'jc' },
      { password: 'wrong' },
    );
    const err = await failure(ch.send(content, 'a@example.com', never()));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/EAUTH/);
    expect(server.mails).toHaveLength(0);
  });

  it('upgrades with STARTTLS, and refuses an unverified certificate unless told not to', async () => {
    const server = await smtp({ tls: 'starttls', auth: { user: 'jc', password: 'pw' } });
    const settings = { host: '127.0.0.1', port: server.port, tls: 'starttls', from, user: 'jc' };
    const strict = channel('email', settings, { password: 'pw' });
    const refused = await failure(strict.send(content, 'a@example.com', never()));
    expect(refused.retryable).toBe(false);
    expect(refused.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate/);

    const lenient = channel('email', { ...settings, rejectUnauthorized: false }, { password: 'pw' });
    await lenient.send(content, 'a@example.com', never());
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]!.secure).toBe(true);
    expect(server.mails[0]!.user).toBe('jc');
  });

  it('does not send in the clear when STARTTLS is required but not offered', async () => {
    const server = await smtp({ tls: 'none' });
    const ch = channel('email', { host: '127.0.0.1', port: server.port, tls: 'starttls', from }, {});
    const err = await failure(ch.send(content, 'a@example.com', never()));
    expect(err.retryable).toBe(false);
    expect(server.mails).toHaveLength(0);
  });

  it('speaks TLS from the first byte with implicit TLS', async () => {
    const server = await smtp({ tls: 'implicit' });
    const ch = channel(
      'email',
      { host: '127.0.0.1', port: server.port, tls: 'implicit', from, rejectUnauthorized: false },
      {},
    );
    await ch.send(content, 'a@example.com', never());
    expect(server.mails[0]?.secure).toBe(true);
  });

  it('maps refused recipients by their reply code: 4xx retryable, 5xx not', async () => {
    const busy = await smtp({ tls: 'none', refuseRecipient: { code: 451, message: 'Try again later' } });
    const gone = await smtp({ tls: 'none', refuseRecipient: { code: 550, message: 'No such user' } });
    const busyErr = await failure(
      channel('email', { host: '127.0.0.1', port: busy.port, tls: 'none', from }, {}).send(
        content,
        'a@example.com',
        never(),
      ),
    );
    expect(busyErr.retryable).toBe(true);
    const goneErr = await failure(
      channel('email', { host: '127.0.0.1', port: gone.port, tls: 'none', from }, {}).send(
        content,
        'a@example.com',
        never(),
      ),
    );
    expect(goneErr.retryable).toBe(false);
    expect(goneErr.message).toMatch(/550/);
  });

  it('reports a server that is down as retryable, and delivers once it is back', async () => {
    const port = await freePort();
    const ch = channel('email', { host: '127.0.0.1', port, tls: 'none', from }, {});
    const err = await failure(ch.send(content, 'a@example.com', never()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED|ECONNECTION/);

    const server = await smtp({ tls: 'none', port });
    await ch.send(content, 'a@example.com', never());
    expect(server.mails).toHaveLength(1);
  });

  it('refuses to send without a valid recipient', async () => {
    const ch = channel('email', { host: '127.0.0.1', port: 25, tls: 'none', from }, {});
    expect((await failure(ch.send(content, '', never()))).retryable).toBe(false);
    expect((await failure(ch.send(content, 'not-an-address', never()))).retryable).toBe(false);
  });
});

/** DingTalk's documented sign, written out here on its own: urlencode(base64(HmacSHA256(secret, ts + "\n" + secret))). */
function dingtalkExpectedSign(timestamp: string, secret: string): string {
  const b64 = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .digest()
    .toString('base64');
  // What Java's URLEncoder.encode and Python's quote_plus do to the base64 alphabet.
  return b64.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');
}

describe('dingtalk', () => {
  const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';

  it('signs the URL as DingTalk documents and posts a markdown message', async () => {
    const receiver = await http();
    const ch = channel(
      'dingtalk',
      {},
      { webhook: `${receiver.origin}/robot/send?access_token=tok123`, secret: SECRET },
    );
    const before = Date.now();
    await ch.send(content, '', never());
    const req = receiver.requests[0]!;
    expect(req.method).toBe('POST');
    const query = req.url.slice(req.url.indexOf('?') + 1).split('&');
    expect(query[0]).toBe('access_token=tok123');
    const timestamp = query.find((p) => p.startsWith('timestamp='))!.slice('timestamp='.length);
    const rawSign = query.find((p) => p.startsWith('sign='))!.slice('sign='.length);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Date.now());
    expect(rawSign).toBe(dingtalkExpectedSign(timestamp, SECRET));
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    const body = json(req.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe(content.subject);
    expect(body.markdown.text).toMatch(/^#### \[JobCenter\] billing-nightly failed\n\n/);
    expect(body.markdown.text).toContain(`[Open the run in JobCenter](${LINK})`);
  });

  it('sends no sign without a secret', async () => {
    const receiver = await http();
    const ch = channel('dingtalk', {}, { webhook: `${receiver.origin}/robot/send?access_token=t` });
    await ch.send(content, '', never());
    expect(receiver.requests[0]!.url).toBe('/robot/send?access_token=t');
  });

  it.each([
    [{ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' }, false, /310000 sign not match/],
    [{ status: 200, body: '{"errcode":130101,"errmsg":"send too fast"}' }, true, /130101/],
    [{ status: 200, body: '{"errcode":-1,"errmsg":"system busy"}' }, true, /-1/],
    [{ status: 200, body: '<html>proxy</html>' }, false, /unexpected answer/],
    [{ status: 502, body: 'bad gateway' }, true, /HTTP 502/],
    [{ status: 404, body: 'no' }, false, /HTTP 404/],
  ])('answer %j: retryable %s', async (answer, retryable, message) => {
    const receiver = await http();
    receiver.answer(answer);
    const ch = channel(
      'dingtalk',
      {},
      { webhook: `${receiver.origin}/robot/send?access_token=secret-token` },
    );
    const err = await failure(ch.send(content, '', never()));
    expect(err.retryable).toBe(retryable);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('secret-token');
  });
});

describe('feishu', () => {
  const SECRET = 'feishu-bot-secret';

  it('signs the body as Feishu documents and posts a card', async () => {
    const receiver = await http();
    receiver.answer({ status: 200, body: '{"code":0,"msg":"success","data":{}}' });
    const ch = channel(
      'feishu',
      {},
      { webhook: `${receiver.origin}/open-apis/bot/v2/hook/abc`, secret: SECRET },
    );
    const before = Math.floor(Date.now() / 1000);
    await ch.send(content, '', never());
    const body = json(receiver.requests[0]!.body);
    expect(typeof body.timestamp).toBe('string');
    expect(Number(body.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(body.timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    // Feishu: the string to sign "timestamp\nsecret" is the HMAC key; the message is empty.
    const expected = createHmac('sha256', Buffer.from(`${body.timestamp}\n${SECRET}`, 'utf8'))
      .update(Buffer.alloc(0))
      .digest('base64');
    expect(body.sign).toBe(expected);
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header.title.content).toBe(content.subject);
    expect(body.card.elements[0].text.tag).toBe('lark_md');
    expect(body.card.elements[0].text.content).toBe(content.markdown);
  });

  it('takes the older StatusCode answer, and has no sign without a secret', async () => {
    const receiver = await http();
    receiver.answer({ status: 200, body: '{"StatusCode":0,"StatusMessage":"success"}' });
    const ch = channel('feishu', {}, { webhook: `${receiver.origin}/hook` });
    await ch.send(content, '', never());
    const body = json(receiver.requests[0]!.body);
    expect(body).not.toHaveProperty('sign');
    expect(body).not.toHaveProperty('timestamp');
  });

  it.each([
    ['{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', false],
    ['{"code":11232,"msg":"frequency limited"}', true],
    ['{"StatusCode":9499,"StatusMessage":"Bad Request"}', false],
  ])('answer %s: retryable %s', async (body, retryable) => {
    const receiver = await http();
    receiver.answer({ status: 200, body });
    const ch = channel('feishu', {}, { webhook: `${receiver.origin}/hook`, secret: SECRET });
    expect((await failure(ch.send(content, '', never()))).retryable).toBe(retryable);
  });
});

describe('wecom', () => {
  it('posts markdown with the subject and the link', async () => {
    const receiver = await http();
    const ch = channel('wecom', {}, { webhook: `${receiver.origin}/cgi-bin/webhook/send?key=k-123` });
    await ch.send(content, '', never());
    const req = receiver.requests[0]!;
    expect(req.url).toBe('/cgi-bin/webhook/send?key=k-123');
    const body = json(req.body);
    expect(Object.keys(body)).toEqual(['msgtype', 'markdown']);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toBe(`**${content.subject}**\n${content.markdown}`);
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
  });

  it.each([
    ['{"errcode":93000,"errmsg":"invalid webhook url"}', false],
    ['{"errcode":45009,"errmsg":"api freq out of limit"}', true],
  ])('answer %s: retryable %s', async (body, retryable) => {
    const receiver = await http();
    receiver.answer({ status: 200, body });
    const ch = channel('wecom', {}, { webhook: `${receiver.origin}/send?key=k` });
    expect((await failure(ch.send(content, '', never()))).retryable).toBe(retryable);
  });
});

describe('slack', () => {
  it('posts a fallback text and blocks with mrkdwn and the link', async () => {
    const receiver = await http();
    receiver.answer({ status: 200, body: 'ok', contentType: 'text/html' });
    const ch = channel('slack', {}, { webhook: `${receiver.origin}/services/T0/B0/xyz` });
    await ch.send(content, '', never());
    const body = json(receiver.requests[0]!.body);
    expect(body.text).toBe(content.subject);
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: content.subject, emoji: false },
    });
    expect(body.blocks[1].type).toBe('section');
    expect(body.blocks[1].text.type).toBe('mrkdwn');
    const mrkdwn: string = body.blocks[1].text.text;
    expect(mrkdwn).toContain('*Job*: billing-nightly');
    expect(mrkdwn).toContain(`<${LINK}|Open the run in JobCenter>`);
    expect(mrkdwn).toContain('exit 1: "db" &lt;timeout&gt; &amp; retry');
  });

  it.each([
    [{ status: 400, body: 'invalid_payload' }, false],
    [{ status: 404, body: 'no_service' }, false],
    [{ status: 429, body: 'rate_limited' }, true],
    [{ status: 500, body: 'rollup_error' }, true],
    [{ status: 200, body: 'something else' }, false],
  ])('answer %j: retryable %s', async (answer, retryable) => {
    const receiver = await http();
    receiver.answer({ ...answer, contentType: 'text/plain' });
    const ch = channel('slack', {}, { webhook: `${receiver.origin}/services/x` });
    const err = await failure(ch.send(content, '', never()));
    expect(err.retryable).toBe(retryable);
    expect(err.message).toContain(answer.body);
  });
});

/** The receiving side of `X-JobCenter-Signature`, as a webhook consumer would write it. */
function verifyJobCenterSignature(header: string, rawBody: string, secret: string): number {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = parts.t ?? '';
  const v1 = Buffer.from(parts.v1 ?? '', 'hex');
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  if (v1.length !== expected.length || !timingSafeEqual(v1, expected)) throw new Error('signature mismatch');
  return Number(t);
}

describe('webhook', () => {
  const SECRET = 'whsec-0123456789abcdef';

  it('posts the alert as JSON signed like a trigger', async () => {
    const receiver = await http();
    receiver.answer({ status: 204, body: '' });
    const ch = channel(
      'webhook',
      {
        url: `${receiver.origin}/hooks/jc`,
        headers: { 'X-Source': 'jobcenter', 'Content-Type': 'text/plain' },
      },
      { secret: SECRET, headers: { Authorization: 'Bearer tok' } },
    );
    const before = Math.floor(Date.now() / 1000);
    await ch.send(content, '', never());
    const req = receiver.requests[0]!;
    const t = verifyJobCenterSignature(String(req.headers['x-jobcenter-signature']), req.body, SECRET);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(() =>
      verifyJobCenterSignature(String(req.headers['x-jobcenter-signature']), `${req.body} `, SECRET),
    ).toThrow();
    expect(req.headers['x-source']).toBe('jobcenter');
    expect(req.headers.authorization).toBe('Bearer tok');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = json(req.body);
    expect(Object.keys(body)).toEqual(['kind', 'subject', 'text', 'link', 'facts', 'sentAt']);
    expect(body).toMatchObject({ kind: 'failed', subject: content.subject, text: content.text, link: LINK });
    expect(body.facts).toEqual(content.facts);
    expect(Date.parse(body.sentAt)).toBeGreaterThanOrEqual(before * 1000);
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [401, false],
    [404, false],
    [301, false],
  ])('HTTP %d: retryable %s', async (status, retryable) => {
    const receiver = await http();
    receiver.answer({ status, body: 'nope' });
    const ch = channel('webhook', { url: `${receiver.origin}/h` }, { secret: SECRET });
    const err = await failure(ch.send(content, '', never()));
    expect(err.retryable).toBe(retryable);
    expect(err.message).toContain(`HTTP ${status}`);
  });
});

describe('sms', () => {
  const APP_KEY = 'app-42';
  const APP_SECRET = 'app-secret-xyz';

  it('fills the JSON body template, JSON-escaping values, and signs with the signed preset', async () => {
    const receiver = await http();
    const ch = channel(
      'sms',
      {
        url: `${receiver.origin}/sms/send`,
        headers: { 'X-Tenant': 'ops' },
        bodyTemplate:
          '{"phone":"{{recipient}}","content":"{{message}}","title":"{{subject}}","detail":"{{text}}"}',
        preset: 'signed',
      },
      { appKey: APP_KEY, appSecret: APP_SECRET, headers: { Authorization: 'Basic abc' } },
    );
    const before = Date.now();
    await ch.send(content, '+8613800138000', never());
    const req = receiver.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-tenant']).toBe('ops');
    expect(req.headers.authorization).toBe('Basic abc');
    const body = json(req.body);
    expect(body).toEqual({
      phone: '+8613800138000',
      content: `${content.subject} ${LINK}`,
      title: content.subject,
      detail: content.text,
    });
    // The documented preset: hex HMAC-SHA256(appSecret, appKey \n timestamp \n nonce \n body).
    const timestamp = String(req.headers['x-timestamp']);
    const nonce = String(req.headers['x-nonce']);
    expect(req.headers['x-app-key']).toBe(APP_KEY);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    const expected = createHmac('sha256', APP_SECRET)
      .update(`${APP_KEY}\n${timestamp}\n${nonce}\n${req.body}`)
      .digest('hex');
    expect(req.headers['x-signature']).toBe(expected);
  });

  it('URL-encodes values in a form body and in the URL of a GET', async () => {
    const receiver = await http();
    receiver.answer({ status: 200, body: 'OK', contentType: 'text/plain' });
    const form = channel(
      'sms',
      {
        url: `${receiver.origin}/form`,
        contentType: 'application/x-www-form-urlencoded',
        bodyTemplate: 'to={{recipient}}&msg={{message}}',
      },
      {},
    );
    await form.send(content, '+1 555 0100', never());
    const params = new URLSearchParams(receiver.requests[0]!.body);
    expect(params.get('to')).toBe('+1 555 0100');
    expect(params.get('msg')).toBe(`${content.subject} ${LINK}`);

    const get = channel(
      'sms',
      { method: 'GET', url: `${receiver.origin}/get?to={{recipient}}&text={{message}}` },
      {},
    );
    await get.send(content, '+86 138', never());
    const req = receiver.requests[1]!;
    expect(req.method).toBe('GET');
    expect(req.body).toBe('');
    const query = new URL(req.url, receiver.origin).searchParams;
    expect(query.get('to')).toBe('+86 138');
    expect(query.get('text')).toBe(`${content.subject} ${LINK}`);
  });

  it.each([
    [400, false],
    [403, false],
    [408, true],
    [429, true],
    [503, true],
  ])('HTTP %d: retryable %s', async (status, retryable) => {
    const receiver = await http();
    receiver.answer({ status, body: '{"error":"x"}' });
    const ch = channel('sms', { url: `${receiver.origin}/sms` }, {});
    expect((await failure(ch.send(content, '+8613800138000', never()))).retryable).toBe(retryable);
  });

  it('needs a phone number', async () => {
    const ch = channel('sms', { url: 'http://127.0.0.1:9/sms' }, {});
    expect((await failure(ch.send(content, ' ', never()))).retryable).toBe(false);
  });
});

describe('a service that does not answer', () => {
  it('is cut by the timeout, retryable', async () => {
    const receiver = await http();
    receiver.answer('hang');
    const ch = channel(
      'webhook',
      { url: `${receiver.origin}/slow` },
      { secret: 'whsec-0123456789abcdef' },
      300,
    );
    const started = Date.now();
    const err = await failure(ch.send(content, '', never()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('is cut by the caller’s AbortSignal, retryable', async () => {
    const receiver = await http();
    receiver.answer('hang');
    const ch = channel('dingtalk', {}, { webhook: `${receiver.origin}/robot/send?access_token=t` }, 30_000);
    const controller = new AbortController();
    const sending = ch.send(content, '', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    const err = await failure(sending);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/cancelled/);
  });

  it('that is not listening is retryable', async () => {
    const port = await freePort();
    const ch = channel('wecom', {}, { webhook: `http://127.0.0.1:${port}/send?key=k` });
    const err = await failure(ch.send(content, '', never()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('an SMTP server that accepts but never greets is cut by the timeout', async () => {
    const { createServer } = await import('node:net');
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    });
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const ch = channel('email', { host: '127.0.0.1', port, tls: 'none', from: 'a@b.c' }, {}, 300);
    const err = await failure(ch.send(content, 'x@example.com', never()));
    expect(err.retryable).toBe(true);
  });
});
