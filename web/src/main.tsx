import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { restoreSignIn } from './api/first-screen';
import { ApiProblem } from './api/problem';
import { SessionProvider } from './api/session';
import { App } from './App';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live events invalidate what changed; a refusal (4xx) is shown, not retried.
      staleTime: 30_000,
      retry: (failures, error) => !(error instanceof ApiProblem && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const restored = restoreSignIn(queryClient);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider restored={restored}>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
