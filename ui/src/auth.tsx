import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getWorkspace } from './api/endpoints.js';
import { forgetKey, onUnauthorized, storedKey, storeKey } from './api/session.js';
import type { Workspace } from './api/types.js';

interface Auth {
  signedIn: boolean;
  workspace: Workspace | undefined;
  /** Why the user was signed out, to tell them on the sign-in page. */
  notice: string | undefined;
  /** Checks the key against the server (GET /workspace), then keeps it in this browser. */
  signIn(key: string): Promise<void>;
  signOut(notice?: string): void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState(storedKey);
  const [notice, setNotice] = useState<string>();
  const workspace = useQuery({ queryKey: ['workspace', key], queryFn: () => getWorkspace(), enabled: key !== null, staleTime: Infinity });

  const signOut = useCallback(
    (why?: string) => {
      forgetKey();
      setKey(null);
      setNotice(why);
      queryClient.clear();
    },
    [queryClient],
  );
  const signIn = useCallback(
    async (candidate: string) => {
      const found = await getWorkspace(candidate);
      storeKey(candidate);
      queryClient.clear();
      queryClient.setQueryData(['workspace', candidate], found);
      setNotice(undefined);
      setKey(candidate);
    },
    [queryClient],
  );
  useEffect(() => onUnauthorized(() => signOut('The server refused your API key (revoked, or from another server). Sign in again.')), [signOut]);

  const value = useMemo<Auth>(
    () => ({ signedIn: key !== null, workspace: workspace.data, notice, signIn, signOut }),
    [key, workspace.data, notice, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
