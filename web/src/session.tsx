import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, whenSignedOut } from './api';

/** Who is signed in, as `GET /api/v2/capstan/me` says; the UI shows only what `permissions` allow. */
export interface Me {
  readonly id: string;
  readonly kind: 'user' | 'client' | 'system';
  readonly name: string;
  readonly username?: string;
  readonly email?: string | null;
  readonly roles: readonly { id: string; name: string }[];
  readonly permissions: readonly string[];
  readonly queueScopes: Record<string, string[]>;
}

interface SessionState {
  readonly me: Me | null;
  readonly loading: boolean;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    whenSignedOut(() => setMe(null));
    api<{ signedIn: boolean; me?: Me }>('GET', '/api/v2/capstan/session')
      .then((s) => setMe(s.me ?? null), (err: unknown) => console.warn('could not load the session', err))
      .finally(() => setLoading(false));
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    setMe(await api<Me>('POST', '/api/v2/capstan/session', { username, password }));
  }, []);
  const signOut = useCallback(async () => {
    await api('DELETE', '/api/v2/capstan/session').catch(() => undefined);
    setMe(null);
  }, []);

  return <SessionContext.Provider value={{ me, loading, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user (pages render only when there is one). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}

/** Whether the signed-in user holds any of these permissions. */
export function can(me: Me, ...anyOf: string[]): boolean {
  return anyOf.some((p) => me.permissions.includes(p));
}
