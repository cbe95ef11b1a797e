import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { Providers } from './app/providers.tsx';
// After the core styles (imported by the providers), as Mantine asks.
import '@mantine/charts/styles.css';
import { prefetchSession } from './app/prefetch.ts';
import { router } from './app/router.tsx';

// Before the router asks for the first page's code: the session request goes out alongside it.
prefetchSession();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <Providers>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);
