import { describe, expect, it } from 'vitest';
import { FIRST_PAGE, hasPrevious, nextPage, pageNumber, previousPage } from './cursor-stack';

describe('cursor stack', () => {
  it('goes forward and back through the same cursors', () => {
    const p2 = nextPage(FIRST_PAGE, 'c2');
    const p3 = nextPage(p2, 'c3');
    expect(pageNumber(p3)).toBe(3);
    expect(p3.cursor).toBe('c3');
    const back2 = previousPage(p3);
    expect(back2).toEqual(p2);
    const back1 = previousPage(back2);
    expect(back1).toEqual(FIRST_PAGE);
    expect(hasPrevious(back1)).toBe(false);
  });

  it('treats a page opened from a URL as unknown, going back to the first page', () => {
    const shared = { stack: [], cursor: 'c7' };
    expect(pageNumber(shared)).toBeNull();
    expect(hasPrevious(shared)).toBe(true);
    expect(previousPage(shared)).toEqual(FIRST_PAGE);
  });
});
