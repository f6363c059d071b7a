import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { EvalstoreError } from './api/client.js';
import { App } from './App.js';
import { AuthProvider } from './auth.js';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx answer will not change on a retry; a dropped connection or a 5xx may.
      retry: (failures, error) => !(error instanceof EvalstoreError && error.status >= 400 && error.status < 500) && failures < 2,
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Asked even when the browser says it is offline, so that the page shows the failure (and a retry) rather than "Loading…" forever.
      networkMode: 'always',
    },
    mutations: { networkMode: 'always' },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthProvider>
          <App />
        </AuthProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
