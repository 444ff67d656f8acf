import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from './template.js';

const NAMES = ['job', 'team', 'link'];

describe('compileTemplate', () => {
  it('inserts values, escaping them only for HTML', () => {
    const values = { job: '<b>&"x"\'', team: '', link: '' };
    expect(compileTemplate('job {{job}}!', 'a.txt', NAMES, 'none')(values)).toBe('job <b>&"x"\'!');
    expect(compileTemplate('job {{ job }}!', 'a.html', NAMES, 'html')(values)).toBe(
      'job &lt;b&gt;&amp;&quot;x&quot;&#39;!',
    );
  });

  it('keeps a section only when its value is set, an inverted one only when it is not', () => {
    const t = compileTemplate(
      '{{#team}}team {{team}}{{/team}}{{^team}}no team{{/team}}',
      'a.txt',
      NAMES,
      'none',
    );
    expect(t({ job: 'j', team: 'ops', link: '' })).toBe('team ops');
    expect(t({ job: 'j', team: '', link: '' })).toBe('no team');
  });

  it('drops the whole line of a section tag that stands alone on it', () => {
    const t = compileTemplate(
      'Job: {{job}}\n{{#team}}\nTeam: {{team}}\n  {{/team}}  \nEnd\n',
      'a.txt',
      NAMES,
      'none',
    );
    expect(t({ job: 'j', team: 'ops', link: '' })).toBe('Job: j\nTeam: ops\nEnd\n');
    expect(t({ job: 'j', team: '', link: '' })).toBe('Job: j\nEnd\n');
  });

  it('nests sections', () => {
    const t = compileTemplate('{{#team}}[{{#link}}{{link}}{{/link}}]{{/team}}', 'a.txt', NAMES, 'none');
    expect(t({ job: '', team: 't', link: 'u' })).toBe('[u]');
    expect(t({ job: '', team: 't', link: '' })).toBe('[]');
    expect(t({ job: '', team: '', link: 'u' })).toBe('');
  });

  it.each([
    ['Hi {{jobs}}', /x\.txt: line 1: unknown placeholder \{\{jobs\}\}/],
    ['a\n{{#nope}}{{/nope}}', /x\.txt: line 2: unknown placeholder \{\{nope\}\}/],
    ['{{#team}} open', /x\.txt: line 1: \{\{#team\}\} is never closed/],
    ['{{/team}}', /x\.txt: line 1: \{\{\/team\}\} closes no section/],
    ['{{#team}}{{/job}}', /closes \{\{#team\}\}/],
    ['{{ 1 + 1 }}', /x\.txt: line 1: '\{\{' that is not a placeholder/],
  ])('refuses %j with the file name and line', (source, error) => {
    expect(() => compileTemplate(source, 'x.txt', NAMES, 'none')).toThrow(TemplateError);
    expect(() => compileTemplate(source, 'x.txt', NAMES, 'none')).toThrow(error);
  });
});
