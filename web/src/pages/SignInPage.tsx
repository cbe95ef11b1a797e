import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { SignInForm } from '../features/auth/components/SignInForm.tsx';
import { useSessionQuery } from '../features/auth/hooks/use-session.ts';
import { LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

/** Where a person lands when not signed in; afterwards they go back to where they were headed, else the inbox. */
export function SignInPage() {
  usePageTitle('Sign in');
  const session = useSessionQuery();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const target = from?.startsWith('/') && !from.startsWith('/sign-in') ? from : '/inbox';

  if (session.isPending) return <LoadingState label="Checking your session…" />;
  if (session.data) return <Navigate to={target} replace />;
  return (
    <Center mih="100vh" p="md" bg="gray.0" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="lg">
          <Stack gap={4}>
            <Title order={1} size="h2">
              Sign in to Amends
            </Title>
            <Text c="dimmed" size="sm">
              The console where your team recovers customers.
            </Text>
          </Stack>
          <SignInForm onSignedIn={() => navigate(target, { replace: true })} />
        </Stack>
      </Paper>
    </Center>
  );
}
