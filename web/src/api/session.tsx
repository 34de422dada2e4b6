import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, csrfToken, setAccessToken } from './client';
import { ApiProblem, problemOf } from './problem';
import type { Me } from './types';

export interface Session {
  /** `loading` while a page load checks its sign-in cookie */
  state: 'loading' | 'signed-out' | 'signed-in';
  me: Me | undefined;
  can(scope: string): boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/**
 * `restored` is the page load's sign-in from the cookie, started before React renders (see first-screen.ts),
 * so the first screen's data is fetched while /me is.
 */
export function SessionProvider({ children, restored }: { children: ReactNode; restored: Promise<boolean> }) {
  const [state, setState] = useState<Session['state']>('loading');
  const [me, setMe] = useState<Me>();

  const loadMe = useCallback(async () => {
    setMe(await api<Me>('/api/v1/auth/me'));
    setState('signed-in');
  }, []);

  useEffect(() => {
    // A page load signs in again from the cookie, if there is one.
    void (async () => {
      if (await restored) {
        try {
          await loadMe();
          return;
        } catch {
          // fall through: signed out
        }
      }
      setState('signed-out');
    })();
  }, [loadMe, restored]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const response = await fetch('/api/v1/auth/web/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email, password }),
        credentials: 'same-origin',
      });
      if (!response.ok) {
        throw await problemOf(response);
      }
      const body = (await response.json()) as { access_token: string };
      setAccessToken(body.access_token);
      await loadMe();
    },
    [loadMe],
  );

  const signOut = useCallback(async () => {
    const csrf = csrfToken();
    try {
      if (csrf) {
        await fetch('/api/v1/auth/web/logout', {
          method: 'POST',
          headers: { 'x-csrf-token': csrf },
          credentials: 'same-origin',
        });
      }
    } finally {
      setAccessToken(undefined);
      setMe(undefined);
      setState('signed-out');
    }
  }, []);

  const value = useMemo<Session>(
    () => ({
      state,
      me,
      can: (scope) => !!me && (me.scopes.includes('admin') || me.scopes.includes(scope)),
      signIn,
      signOut,
    }),
    [state, me, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export { ApiProblem };
