import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { createBrowserRouter, isRouteErrorResponse, Link, Navigate, useRouteError } from 'react-router';
import { LoadingState } from '../ui/states.tsx';
import { approvalsLoader, caseLoader, inboxLoader } from './prefetch.ts';
import { RequireSession } from './RequireSession.tsx';
import { Shell } from './Shell.tsx';

/** Shown when a page fails to load or throws: what happened, and a way out. */
function RouteError() {
  const err = useRouteError();
  const notFound = isRouteErrorResponse(err) && err.status === 404;
  const chunkGone = err instanceof TypeError && /dynamically imported module|Importing a module script failed/i.test(err.message);
  return (
    <Center p="xl">
      <Stack align="center" gap="sm" maw={480}>
        <Title order={1} size="h2">
          {notFound ? 'Page not found' : 'This page could not be shown'}
        </Title>
        <Text c="dimmed" ta="center">
          {notFound
            ? 'The address does not match a page of the console.'
            : chunkGone
              ? 'Amends was updated since this tab opened. Reload to get the new version.'
              : err instanceof Error
                ? err.message
                : 'Something went wrong.'}
        </Text>
        <Button onClick={() => window.location.reload()} variant="light">
          Reload
        </Button>
        <Button component={Link} to="/inbox" variant="subtle">
          Go to the inbox
        </Button>
      </Stack>
    </Center>
  );
}

const page = <T extends Record<string, unknown>>(load: () => Promise<T>, name: keyof T) => ({
  lazy: async () => ({ Component: (await load())[name] as React.ComponentType }),
});

export const router = createBrowserRouter([
  {
    path: '/sign-in',
    ...page(() => import('../pages/SignInPage.tsx'), 'SignInPage'),
    ErrorBoundary: RouteError,
    HydrateFallback: () => <LoadingState label="Loading…" />,
  },
  {
    path: '/',
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    ErrorBoundary: RouteError,
    HydrateFallback: () => <LoadingState label="Loading…" />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: 'inbox', loader: inboxLoader, ...page(() => import('../pages/InboxPage.tsx'), 'InboxPage') },
      { path: 'cases/:id', loader: caseLoader, ...page(() => import('../pages/CasePage.tsx'), 'CasePage') },
      { path: 'approvals', loader: approvalsLoader, ...page(() => import('../pages/ApprovalsPage.tsx'), 'ApprovalsPage') },
      { path: 'incidents', ...page(() => import('../pages/IncidentsPage.tsx'), 'IncidentsPage') },
      { path: 'incidents/:id', ...page(() => import('../pages/IncidentPage.tsx'), 'IncidentPage') },
      { path: 'community', ...page(() => import('../pages/CommunityPage.tsx'), 'CommunityPage') },
      { path: 'analytics', ...page(() => import('../pages/AnalyticsPage.tsx'), 'AnalyticsPage') },
      { path: 'policy', ...page(() => import('../pages/PolicyPage.tsx'), 'PolicyPage') },
      { path: 'settings', ...page(() => import('../pages/SettingsPage.tsx'), 'SettingsPage') },
      { path: '*', ...page(() => import('../pages/NotFoundPage.tsx'), 'NotFoundPage') },
    ],
  },
]);
