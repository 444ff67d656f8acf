/** Keeps docs/errors.md and the error registry (src/errors.ts) in step: same codes, same statuses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

/** The rows of the error table: `| \`code\` | status | …`. */
function documentedErrors(markdown: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    if (rows.has(match[1])) throw new Error(`docs/errors.md lists ${match[1]} twice`);
    rows.set(match[1], Number(match[2]));
  }
  return rows;
}

describe('docs/errors.md', () => {
  const documented = documentedErrors(readFileSync(DOC, 'utf8'));

  it('lists exactly the codes of the registry', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('gives each code the status the API answers', () => {
    const statuses = Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.status]));
    expect(Object.fromEntries(documented)).toEqual(statuses);
  });
});
