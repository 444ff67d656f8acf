import { describe, expect, it } from 'vitest';
import { markdownToSlack, truncateChars, truncateUtf8 } from './chat-text.js';

describe('truncateUtf8', () => {
  it('keeps short text and cuts long text on a character boundary', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    const cut = truncateUtf8('任务'.repeat(10), 20);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(20);
    expect(cut).toBe('任务任务任…');
  });
});

describe('truncateChars', () => {
  it('never leaves half a surrogate pair', () => {
    expect(truncateChars('ab😀cd', 4)).toBe('ab…');
    expect(truncateChars('abcdef', 4)).toBe('abc…');
  });
});

describe('markdownToSlack', () => {
  it('turns bold and links into mrkdwn and escapes the rest', () => {
    expect(markdownToSlack('- **Job**: a<b> & c\n\n[Open the run](https://x.example/r?a=1&b=2)')).toBe(
      '- *Job*: a&lt;b&gt; &amp; c\n\n<https://x.example/r?a=1&b=2|Open the run>',
    );
  });
});
