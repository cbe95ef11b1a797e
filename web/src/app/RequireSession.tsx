import { Center } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { Navigate, useLocation } from 'react-router';
import { onUnauthorized } from '../api/client.ts';
import { SessionContext, sessionKey, useSessionQuery } from '../features/auth/hooks/use-session.ts';
import { ErrorState, LoadingState } from '../ui/states.tsx';

/** Renders its children only for a signed-in person; everyone else goes to the sign-in page and comes back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSessionQuery();
  const location = useLocation();
  const qc = useQueryClient();

  useEffect(
    () =>
      onUnauthorized(() => {
        if (!qc.getQueryData(sessionKey)) return;
        qc.setQueryData(sessionKey, null);
        notifications.show({ color: 'orange', title: 'Signed out', message: 'Your session ended. Sign in again to carry on.' });
      }),
    [qc],
  );

  if (session.isPending) return <LoadingState label="Checking your session…" />;
  if (session.isError) {
    return (
      <Center p="xl">
        <ErrorState title="Could not reach Amends" error={session.error} onRetry={() => session.refetch()} />
      </Center>
    );
  }
  if (!session.data) return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}
