import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  ALERT_LANGUAGES,
  type AlertInput,
  durationWords,
  loadAlertTemplates,
  localTime,
  MAX_MESSAGE_CHARS,
  renderAlert,
} from './render.js';

const SCHEDULED = Date.UTC(2026, 2, 14, 3, 0, 0);

function input(overrides: Partial<AlertInput> = {}): AlertInput {
  return {
    kind: 'failed',
    job: 'billing-nightly',
    team: 'payments',
    owner: 'alice',
    scheduledAt: SCHEDULED,
    status: 'failed',
    durationMs: 83_400,
    message: 'exit status 1',
    member: 'http://10.0.0.5:9090',
    runId: '01JRUN',
    link: 'https://jobs.example.com/runs/01JRUN',
    timezone: 'Asia/Shanghai',
    ...overrides,
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function templatesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'jc-templates-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('renderAlert', () => {
  for (const language of ALERT_LANGUAGES) {
    it.each(ALERT_KINDS)(`renders %s in ${language} with every part filled`, (kind) => {
      const content = renderAlert(
        input({ kind, ...(kind === 'digest' ? { count: 7, since: SCHEDULED - 3_600_000 } : {}) }),
        language,
      );
      expect(content.kind).toBe(kind);
      expect(content.subject).not.toMatch(/\n|\{\{/);
      expect(content.subject).toContain('JobCenter');
      for (const body of [content.text, content.html, content.markdown]) {
        expect(body).not.toContain('{{');
        expect(body).toContain('https://jobs.example.com/runs/01JRUN');
      }
      expect(content.html).toMatch(/^<!DOCTYPE html>/);
      expect(content.link).toBe('https://jobs.example.com/runs/01JRUN');
      if (kind !== 'test') {
        expect(content.subject).toContain('billing-nightly');
        for (const body of [content.text, content.html, content.markdown]) {
          expect(body).toContain('payments');
          expect(body).toContain('alice');
          expect(body).toContain('2026-03-14 11:00:00 +08:00 Asia/Shanghai');
          expect(body).toContain('exit status 1');
          expect(body).toContain('http://10.0.0.5:9090');
          expect(body).toContain('01JRUN');
        }
        expect(content.text).toContain('2026-03-14T03:00:00Z');
      }
      if (kind === 'digest') expect(content.subject).toContain('7');
    });
  }

  it('speaks each language', () => {
    const en = renderAlert(input(), 'en');
    expect(en.subject).toBe('[JobCenter] billing-nightly failed');
    expect(en.text).toContain('Outcome:   failed');
    expect(en.text).toContain('Duration:  1 min 23 s');
    expect(en.markdown).toContain('[Open the run in JobCenter](https://jobs.example.com/runs/01JRUN)');
    const zh = renderAlert(input(), 'zh-CN');
    expect(zh.subject).toBe('【JobCenter】任务 billing-nightly 执行失败');
    expect(zh.text).toContain('结果：失败');
    expect(zh.text).toContain('耗时：1 分 23 秒');
    expect(zh.html).toContain('<html lang="zh-CN">');
    const lost = renderAlert(input({ kind: 'lost', status: 'lost' }), 'zh-CN');
    expect(lost.text).toContain('丢失（截止时间前未收到结果）');
  });

  it('leaves out the lines of facts it does not have', () => {
    const content = renderAlert(
      input({ team: null, owner: null, member: null, message: null, link: null, durationMs: null }),
      'en',
    );
    expect(content.text).not.toMatch(/Team:|Owner:|Member:|Message:|Duration:|Open the run/);
    expect(content.markdown).not.toMatch(/Team|Owner|Member|Message|Duration|\]\(/);
    expect(content.html).not.toMatch(/>Team<|>Owner<|<a href/);
    expect(content.text).not.toMatch(/\n\n\n/);
    expect(content.link).toBeNull();
    expect(content.facts).toMatchObject({ team: null, owner: null, member: null, message: null, link: null });
  });

  it('escapes values in HTML only', () => {
    const content = renderAlert(
      input({ job: 'a<b>&"c"', message: '<script>alert(1)</script>', link: 'https://x.example/r?a=1&b="2"' }),
      'en',
    );
    expect(content.html).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(content.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(content.html).not.toContain('<script>');
    expect(content.html).toContain('href="https://x.example/r?a=1&amp;b=&quot;2&quot;"');
    expect(content.text).toContain('<script>alert(1)</script>');
    expect(content.markdown).toContain('a<b>&"c"');
    expect(content.subject).toBe('[JobCenter] a<b>&"c" failed');
  });

  it('caps the message and keeps the subject on one line', () => {
    const long = '数'.repeat(MAX_MESSAGE_CHARS + 50);
    const content = renderAlert(input({ message: long, job: 'multi\nline' }), 'zh-CN');
    const shown = `${'数'.repeat(MAX_MESSAGE_CHARS - 1)}…`;
    expect(content.facts.message).toBe(shown);
    expect(content.text).toContain(shown);
    expect(content.text).not.toContain('数'.repeat(MAX_MESSAGE_CHARS));
    expect(content.subject).toBe('【JobCenter】任务 multi line 执行失败');
  });

  it('gives webhooks the raw facts', () => {
    const content = renderAlert(input({ kind: 'digest', count: 3, since: SCHEDULED }), 'en');
    expect(content.facts).toEqual({
      job: 'billing-nightly',
      team: 'payments',
      owner: 'alice',
      scheduledAt: '2026-03-14T03:00:00Z',
      outcome: 'failed',
      durationMs: 83_400,
      message: 'exit status 1',
      member: 'http://10.0.0.5:9090',
      runId: '01JRUN',
      link: 'https://jobs.example.com/runs/01JRUN',
      count: 3,
      since: '2026-03-14T03:00:00Z',
      timezone: 'Asia/Shanghai',
    });
  });

  it('shows UTC when the job has no zone or an unknown one', () => {
    for (const timezone of [undefined, 'Mars/Olympus']) {
      const content = renderAlert(input({ timezone }), 'en');
      expect(content.text).toContain('Scheduled: 2026-03-14 03:00:00 UTC (2026-03-14T03:00:00Z)');
      expect(content.facts).not.toHaveProperty('timezone');
    }
  });

  it('takes a file from the override directory and the others built in', () => {
    const dir = templatesDir({
      'en/failed.subject': 'PAGE: {{job}} ({{team}})\n',
      'en/failed.html': '<p>{{job}} by {{owner}}</p>\n',
    });
    const content = renderAlert(input({ job: '<j>' }), 'en', dir);
    expect(content.subject).toBe('PAGE: <j> (payments)');
    expect(content.html).toBe('<p>&lt;j&gt; by alice</p>\n');
    expect(content.text).toContain('<j> failed.');
    expect(renderAlert(input(), 'zh-CN', dir).subject).toBe('【JobCenter】任务 billing-nightly 执行失败');
  });

  it('fails at load time, naming the file, for an unknown placeholder', () => {
    const dir = templatesDir({ 'zh-CN/timeout.md': '任务 {{job}} 超时 {{jobName}}\n' });
    const file = join(dir, 'zh-CN', 'timeout.md');
    expect(() => loadAlertTemplates('zh-CN', dir)).toThrow(
      `${file}: line 1: unknown placeholder {{jobName}}`,
    );
    // Any kind of that language fails, not only the broken one: the whole set loads together.
    expect(() => renderAlert(input({ kind: 'failed' }), 'zh-CN', dir)).toThrow(file);
    expect(() => loadAlertTemplates('en', dir)).not.toThrow();
  });

  it('does not allow {{subject}} inside the subject', () => {
    const dir = templatesDir({ 'en/test.subject': '{{subject}}\n' });
    expect(() => loadAlertTemplates('en', dir)).toThrow(
      /test\.subject: line 1: unknown placeholder \{\{subject\}\}/,
    );
  });
});

describe('durationWords', () => {
  it.each([
    [850, '850 ms', '850 毫秒'],
    [12_340, '12.3 s', '12.3 秒'],
    [60_000, '1 min', '1 分'],
    [3_723_000, '1 h 2 min 3 s', '1 小时 2 分 3 秒'],
    [90_061_000, '1 d 1 h 1 min 1 s', '1 天 1 小时 1 分 1 秒'],
  ])('%d ms', (ms, en, zh) => {
    expect(durationWords(ms, 'en')).toBe(en);
    expect(durationWords(ms, 'zh-CN')).toBe(zh);
  });
});

describe('localTime', () => {
  it('shows the wall clock and offset of the zone, DST included', () => {
    expect(localTime(Date.UTC(2026, 0, 15, 12), 'America/New_York')).toBe(
      '2026-01-15 07:00:00 -05:00 America/New_York',
    );
    expect(localTime(Date.UTC(2026, 6, 15, 12), 'America/New_York')).toBe(
      '2026-07-15 08:00:00 -04:00 America/New_York',
    );
    expect(localTime(Date.UTC(2026, 6, 15, 12), 'Asia/Kolkata')).toBe(
      '2026-07-15 17:30:00 +05:30 Asia/Kolkata',
    );
    expect(localTime(Date.UTC(2026, 6, 15, 12), undefined)).toBe('2026-07-15 12:00:00 UTC');
  });
});
