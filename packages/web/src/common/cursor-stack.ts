/**
 * Paging through a cursor list (`limit` + `cursor` → `nextCursor`): the API
 * only goes forward, so the cursors of the pages before the current one are
 * kept on a stack to go back.
 */
export interface CursorState {
  /** The cursors of the earlier pages, oldest first; the first page's is null. */
  stack: (string | null)[];
  /** The current page's cursor; null for the first page. */
  cursor: string | null;
}

export const FIRST_PAGE: CursorState = { stack: [], cursor: null };

export function nextPage(state: CursorState, nextCursor: string): CursorState {
  return { stack: [...state.stack, state.cursor], cursor: nextCursor };
}

/**
 * One page back. A page opened from a shared URL has no stack: back then
 * means the first page.
 */
export function previousPage(state: CursorState): CursorState {
  if (state.stack.length === 0) return FIRST_PAGE;
  return { stack: state.stack.slice(0, -1), cursor: state.stack[state.stack.length - 1] ?? null };
}

export function hasPrevious(state: CursorState): boolean {
  return state.cursor !== null;
}

/** 1-based page number, or null when the page was opened from a URL mid-list. */
export function pageNumber(state: CursorState): number | null {
  if (state.cursor !== null && state.stack.length === 0) return null;
  return state.stack.length + 1;
}
