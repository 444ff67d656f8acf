/**
 * The session: who is signed in, and the CSRF token writes must carry.
 * A server without accounts (no `/auth/me` route) runs open.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { ApiError, setCsrfToken } from '../api/client';
import { api } from '../api/endpoints';
import type { Session } from '../api/types';
import type { SessionState } from './permissions';

export const SESSION_KEY = ['session'] as const;

async function loadSession(): Promise<SessionState> {
  try {
    return signedIn(await api.auth.me());
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return { kind: 'anonymous' };
    }
    if (err instanceof ApiError && err.notOffered) return { kind: 'open' };
    throw err;
  }
}

function signedIn(session: Session): SessionState {
  setCsrfToken(session.csrfToken);
  return { kind: 'user', user: session.user, csrfToken: session.csrfToken };
}

interface SessionContextValue {
  session: SessionState;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Loads the session once; renders `loading` / `failed` until it is known. */
export function SessionProvider({
  children,
  loading,
  failed,
}: {
  children: ReactNode;
  loading: ReactNode;
  failed: (error: unknown, retry: () => void) => ReactNode;
}) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: loadSession, staleTime: Infinity, retry: 1 });
  const { mutateAsync: loginAsync } = useMutation({
    mutationFn: ({ username, password }: { username: string; password: string }) =>
      api.auth.login(username, password),
    onSuccess: (session) => client.setQueryData(SESSION_KEY, signedIn(session)),
  });
  const value = useMemo<SessionContextValue | null>(() => {
    if (!query.data) return null;
    return {
      session: query.data,
      login: async (username, password) => {
        await loginAsync({ username, password });
      },
      logout: async () => {
        try {
          await api.auth.logout();
        } finally {
          setCsrfToken(null);
          // The session query stays (its observer would keep the removed one's data): everything else goes.
          client.setQueryData(SESSION_KEY, { kind: 'anonymous' } satisfies SessionState);
          client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
        }
      },
    };
  }, [query.data, loginAsync, client]);
  if (query.isPending) return <>{loading}</>;
  if (query.isError || !value) return <>{failed(query.error, () => void query.refetch())}</>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession: outside SessionProvider');
  return value;
}

/** Marks the session as ended (a 401 from any call): the app shows the login page. */
export function useExpireSession(): () => void {
  const client = useQueryClient();
  return () => {
    setCsrfToken(null);
    client.setQueryData(SESSION_KEY, { kind: 'anonymous' } satisfies SessionState);
  };
}
