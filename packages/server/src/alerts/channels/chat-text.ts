/** Small text adaptations the chat channels need: byte limits and Slack's mrkdwn. */

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character, with '…' when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - 3; // '…' is 3 bytes
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

/** `text` cut to at most `max` characters (UTF-16 units, as Slack counts), with '…' when cut. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Do not leave half of a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Escapes the three characters Slack's mrkdwn reserves. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const LINK = /\[([^\]\n]*)\]\(([^)\s]+)\)/g;

/**
 * The common markdown of the templates in Slack's mrkdwn: `**bold**` becomes
 * `*bold*`, `[text](url)` becomes `<url|text>`, and `&`, `<`, `>` are escaped
 * everywhere but inside the link's angle brackets.
 */
export function markdownToSlack(markdown: string): string {
  let out = '';
  let last = 0;
  for (const match of markdown.matchAll(LINK)) {
    out += slackInline(markdown.slice(last, match.index));
    const [, label = '', url = ''] = match;
    out += `<${url.replace(/[<>|]/g, encodeURIComponent)}|${slackEscape(label).replace(/\|/g, '¦')}>`;
    last = match.index + match[0].length;
  }
  return out + slackInline(markdown.slice(last));
}

function slackInline(text: string): string {
  return slackEscape(text).replace(/\*\*([^*\n]+)\*\*/g, '*$1*');
}
