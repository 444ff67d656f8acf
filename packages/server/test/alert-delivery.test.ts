/**
 * Alert messages delivered through real channels, on both dialects: a real
 * SMTP server receives the mail with the run's link; an SMTP server that is
 * down and comes back gets every message (retries, nothing lost), also
 * across a restart with a full outbox; a channel that hangs holds up
 * neither the fires nor their delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from './helpers/alert-receivers.js';
import { startCenter, type TestCenter } from './helpers/center.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { freePort } from './helpers/ports.js';
import { type Started, startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

guardProcesses();
const DIALECTS = await dialects();

const FAST_ALERTS: Partial<Config> = {
  alertIntervalMs: 100,
  alertWindowMs: 1,
  alertBackoffMs: 100,
  alertBackoffMaxMs: 400,
  alertMaxAttempts: 1_000,
  alertSendTimeoutMs: 2_000,
};

interface Message {
  kind: string;
  runId: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

describe.each(DIALECTS)('alert delivery on %s', (dialect) => {
  let tc: TestCenter | null = null;
  let db: TestDatabase | null = null;
  let worker: Started | null = null;
  let smtp: SmtpReceiver | null = null;
  let http: HttpReceiver | null = null;

  afterEach(async () => {
    await tc?.stop();
    await db?.drop();
    await worker?.stop();
    await smtp?.close();
    await http?.close();
    tc = db = worker = smtp = http = null;
  });

  async function setUp(smtpPort: number, overrides: Partial<Config> = {}) {
    db = await createTestDatabase(dialect);
    tc = await startCenter(dialect, { ...FAST_ALERTS, ...overrides }, db);
    worker = await startWorker('w');
    await tc.api('POST', '/api/v1/worker-groups', { name: 'g', members: [{ url: worker.url }] });
    const mail = await tc.api('POST', '/api/v1/alert-channels', {
      name: 'mail',
      type: 'email',
      config: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'jobcenter@example.com' },
      default: true,
    });
    expect(mail.status, JSON.stringify(mail.body)).toBe(201);
  }

  async function failingJob(name: string, recipients = ['email:ops@example.com'], cron = '0 0 1 1 *') {
    const res = await tc?.api('POST', '/api/v1/jobs', {
      name,
      schedule: { cron },
      target: { group: 'g', path: '/sync-fail' },
      alerts: { recipients, on: ['failed'] },
    });
    expect(res?.status).toBe(201);
  }

  const messages = async (job: string) =>
    (
      (await tc?.api<{ items: Message[] }>('GET', `/api/v1/alerts?job=${job}&limit=500`))?.body.items ?? []
    ).reverse();

  it('mails the failure to a real SMTP server, with the job, the outcome and the link to the run', async () => {
    smtp = await startSmtpReceiver({ tls: 'none' });
    await setUp(smtp.port);
    await failingJob('mailed');
    const run = (await tc?.api<{ id: string }>('POST', '/api/v1/jobs/mailed/trigger'))?.body;
    await waitFor(() => (smtp?.mails.length ?? 0) > 0, 'the mail');
    const mail = smtp.mails[0];
    expect(mail?.envelope.to).toEqual(['ops@example.com']);
    expect(mail?.parsed.subject).toContain('mailed');
    expect(mail?.parsed.text).toContain(`/jobs/mailed?run=${run?.id}`);
    expect(mail?.parsed.html).toContain(`/jobs/mailed?run=${run?.id}`);
    await waitFor(async () => (await messages('mailed'))[0]?.status === 'sent', 'the message recorded sent');
  });

  it('keeps retrying while the SMTP server is down and delivers everything when it is back, across a restart', async () => {
    const port = await freePort();
    await setUp(port);
    await failingJob('down-a');
    await failingJob('down-b');
    await tc?.api('POST', '/api/v1/jobs/down-a/trigger');
    await tc?.api('POST', '/api/v1/jobs/down-b/trigger');
    await waitFor(async () => {
      const all = [...(await messages('down-a')), ...(await messages('down-b'))];
      return all.length === 2 && all.every((m) => m.status === 'pending' && m.attempts >= 2 && m.lastError);
    }, 'both messages retried while the server is down');
    // Restart with a full outbox, then bring the server back on the port the channel knows.
    await tc?.stop();
    tc = await startCenter(dialect, FAST_ALERTS, db ?? undefined);
    smtp = await startSmtpReceiver({ tls: 'none', port });
    await waitFor(() => (smtp?.mails.length ?? 0) >= 2, 'both mails after the restart');
    await waitFor(async () => {
      const all = [...(await messages('down-a')), ...(await messages('down-b'))];
      return all.every((m) => m.status === 'sent');
    }, 'both messages recorded sent');
    expect(
      smtp.mails
        .map((m) => m.parsed.subject)
        .sort()
        .join(' '),
    ).toMatch(/down-a.*down-b/);
  });

  it('a channel that hangs holds up neither the fires nor their delivery', async () => {
    smtp = await startSmtpReceiver({ tls: 'none' });
    http = await startHttpReceiver();
    http.answer('hang');
    await setUp(smtp.port, { alertSendTimeoutMs: 30_000 });
    const hook = await tc?.api('POST', '/api/v1/alert-channels', {
      name: 'stuck',
      type: 'webhook',
      config: { url: `${http.origin}/hook` },
      secret: { secret: 'a-webhook-secret-0123456789' },
    });
    expect(hook?.status).toBe(201);
    await failingJob('every-second', ['channel:stuck', 'email:ops@example.com'], '* * * * * *');
    // Ten seconds of fires while every webhook send hangs.
    await waitFor(
      async () => {
        const runs = await tc?.api<{ items: unknown[] }>('GET', '/api/v1/jobs/every-second/runs?limit=500');
        return (runs?.body.items.length ?? 0) >= 10;
      },
      'ten fires',
      30_000,
    );
    await tc?.api('POST', '/api/v1/jobs/every-second/pause');
    type Row = { scheduledAt: string; notifyStatus: string; status: string };
    const history = async () =>
      (await tc?.api<{ items: Row[] }>('GET', '/api/v1/jobs/every-second/runs?limit=500'))?.body.items ?? [];
    // The last fire before the pause may still be on its way.
    await waitFor(
      async () => (await history()).every((r) => r.status !== 'pending' && r.status !== 'running'),
      'every run to end',
      30_000,
    ).catch(async (err: Error) => {
      const open = (await history()).filter((r) => r.status === 'pending' || r.status === 'running');
      throw new Error(`${err.message}: still open ${JSON.stringify(open)}`);
    });
    const runs = await history();
    const seconds = (runs ?? []).map((r) => Date.parse(r.scheduledAt) / 1000).sort((a, b) => a - b);
    expect(seconds.at(-1)! - seconds[0]! + 1, 'one run for every second, none skipped').toBe(seconds.length);
    expect(runs?.every((r) => r.notifyStatus === 'delivered' && r.status === 'failed')).toBe(true);
    expect(http.requests.length, 'the webhook was tried').toBeGreaterThan(0);
    // Every email alert went out meanwhile (failures the worker read in one batch share a window:
    // the later ones come as a digest, which is an email too).
    const emails = async () =>
      (
        await tc?.api<{ items: { channel: string; status: string }[] }>(
          'GET',
          '/api/v1/alerts?channel=mail&limit=500',
        )
      )?.body.items ?? [];
    await waitFor(async () => {
      const all = await emails();
      return all.length > 0 && all.every((m) => m.status === 'sent') && smtp?.mails.length === all.length;
    }, 'every email alert delivered despite the stuck channel');
    expect((await emails()).length).toBeGreaterThanOrEqual(2);
  });
});
