import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { evalstore } from './api/client.js';
import { getWorkspace } from './api/endpoints.js';
import { forgetKey, onUnauthorized, storeCsrfToken, storedKey, storeKey } from './api/session.js';
import type { Me, Workspace } from './api/types.js';

interface Auth {
  signedIn: boolean;
  /** True while the page asks the server whether its cookie is a live session. */
  checking: boolean;
  workspace: Workspace | undefined;
  /** The signed-in person (signed in with email and password); undefined with an API key. */
  me: Me | undefined;
  /** Why the user was signed out, to tell them on the sign-in page. */
  notice: string | undefined;
  /** Checks the key against the server (GET /workspace), then keeps it in this browser. */
  signIn(key: string): Promise<void>;
  /** Signs in with email and password: the server sets the session cookie. */
  signInWithPassword(email: string, password: string): Promise<void>;
  /** A session made elsewhere (accepting an invitation). */
  startSession(me: Me): void;
  signOut(notice?: string): void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState(storedKey);
  const [session, setSession] = useState<Me>();
  const [checked, setChecked] = useState(key !== null);
  const [notice, setNotice] = useState<string>();
  const signedIn = key !== null || session !== undefined;
  const workspace = useQuery({ queryKey: ['workspace', key, session?.session.id], queryFn: () => getWorkspace(), enabled: signedIn, staleTime: Infinity });
  const mode = useRef<'key' | 'session' | 'none'>(key !== null ? 'key' : 'none');

  const startSession = useCallback(
    (me: Me) => {
      storeCsrfToken(me.csrf_token);
      mode.current = 'session';
      queryClient.clear();
      setNotice(undefined);
      setSession(me);
      setChecked(true);
    },
    [queryClient],
  );

  // Without a key, the cookie may hold a live session: ask once (its 401 just means "no").
  useEffect(() => {
    if (key !== null || checked) return;
    evalstore.auth
      .me()
      .then(startSession)
      .catch(() => undefined)
      .finally(() => setChecked(true));
  }, [key, checked, startSession]);

  const forget = useCallback(
    (why?: string) => {
      forgetKey();
      storeCsrfToken(null);
      mode.current = 'none';
      setKey(null);
      setSession(undefined);
      setNotice(why);
      queryClient.clear();
    },
    [queryClient],
  );
  const signOut = useCallback(
    (why?: string) => {
      if (mode.current === 'session') evalstore.auth.signOut().catch(() => undefined);
      forget(why);
    },
    [forget],
  );
  const signIn = useCallback(
    async (candidate: string) => {
      const found = await getWorkspace(candidate);
      storeKey(candidate);
      mode.current = 'key';
      queryClient.clear();
      queryClient.setQueryData(['workspace', candidate, undefined], found);
      setNotice(undefined);
      setKey(candidate);
    },
    [queryClient],
  );
  const signInWithPassword = useCallback(
    async (email: string, password: string) => startSession(await evalstore.auth.signIn({ email, password })),
    [startSession],
  );
  useEffect(
    () =>
      onUnauthorized(() => {
        if (mode.current === 'key') forget('The server refused your API key (revoked, or from another server). Sign in again.');
        else if (mode.current === 'session') forget('Your session has ended (it expired or was revoked). Sign in again.');
      }),
    [forget],
  );

  const value = useMemo<Auth>(
    () => ({ signedIn, checking: !checked, workspace: workspace.data, me: session, notice, signIn, signInWithPassword, startSession, signOut }),
    [signedIn, checked, workspace.data, session, notice, signIn, signInWithPassword, startSession, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
