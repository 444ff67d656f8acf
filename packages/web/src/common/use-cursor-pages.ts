/** Cursor paging kept in the URL (`cursor`, `limit`), with the stack to go back in memory. */
import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { type CursorState, nextPage, previousPage } from './cursor-stack';

export function useCursorPages(defaultLimit = 50, prefix = '') {
  const [params, setParams] = useSearchParams();
  const [stack, setStack] = useState<(string | null)[]>([]);
  const cursorKey = `${prefix}cursor`;
  const limitKey = `${prefix}limit`;
  const cursor = params.get(cursorKey);
  const limit = Number(params.get(limitKey)) || defaultLimit;
  const state: CursorState = { stack: cursor === null ? [] : stack, cursor };

  const go = useCallback(
    (next: CursorState) => {
      setStack(next.stack);
      setParams(
        (prev) => {
          const copy = new URLSearchParams(prev);
          if (next.cursor === null) copy.delete(cursorKey);
          else copy.set(cursorKey, next.cursor);
          return copy;
        },
        { replace: true },
      );
    },
    [setParams, cursorKey],
  );

  return {
    state,
    cursor: cursor ?? undefined,
    limit,
    next: (nextCursor: string) => go(nextPage(state, nextCursor)),
    previous: () => go(previousPage(state)),
    setLimit: (n: number) => {
      setStack([]);
      setParams(
        (prev) => {
          const copy = new URLSearchParams(prev);
          copy.delete(cursorKey);
          copy.set(limitKey, String(n));
          return copy;
        },
        { replace: true },
      );
    },
  };
}

/** Sets or clears URL query values and goes back to the first page of the list. */
export function useUrlFilters(prefix = '') {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (patch: Record<string, string | string[] | null | undefined>) =>
      setParams(
        (prev) => {
          const copy = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            copy.delete(key);
            if (Array.isArray(value)) for (const v of value) copy.append(key, v);
            else if (value !== null && value !== undefined && value !== '') copy.set(key, value);
          }
          copy.delete(`${prefix}cursor`);
          return copy;
        },
        { replace: true },
      ),
    [setParams, prefix],
  );
  return { params, set };
}
