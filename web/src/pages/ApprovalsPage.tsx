import { Stack, Text, Title } from '@mantine/core';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { ApprovalCard } from '../features/compensation/components/ApprovalCard.tsx';
import { usePendingApprovals } from '../features/compensation/hooks/use-compensation.ts';
import { useUsers } from '../features/team/hooks/use-users.ts';
import { formatMoney } from '../ui/format.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

export function ApprovalsPage() {
  usePageTitle('Approvals');
  const session = useSession();
  const isManager = roleAtLeast(session.user.role, 'manager');
  const pending = usePendingApprovals();
  const users = useUsers();
  const userName = (id: string | null) => {
    if (!id) return 'someone';
    if (id === session.user.id) return 'you';
    const u = users.data?.find((x) => x.id === id);
    return u ? (u.name ?? u.email) : 'a teammate';
  };

  if (!isManager) {
    return <Empty title="Managers only">Approving compensations needs the manager role. Your role is {session.user.role}.</Empty>;
  }
  const list = pending.data ?? [];
  const byCurrency = new Map<string, number>();
  for (const c of list) byCurrency.set(c.cost.currency, (byCurrency.get(c.cost.currency) ?? 0) + c.cost.amount);
  return (
    <Stack gap="md" maw={900}>
      <Stack gap={0}>
        <Title order={1} size="h2">
          Approvals
        </Title>
        <Text size="sm" c="dimmed">
          {pending.data
            ? list.length === 0
              ? 'Nothing is waiting.'
              : `${list.length} waiting · ${[...byCurrency].map(([cur, amt]) => formatMoney(amt, cur)).join(' + ')} in total · oldest first`
            : 'Compensations above an agent’s authority wait here.'}
        </Text>
      </Stack>
      {pending.isPending ? (
        <LoadingState label="Loading requests…" />
      ) : pending.isError ? (
        <ErrorState title="Could not load the requests" error={pending.error} onRetry={() => pending.refetch()} />
      ) : list.length === 0 ? (
        <Empty title="No requests waiting">
          When an agent asks for a remedy above their authority, it appears here for you to approve or reject.
        </Empty>
      ) : (
        <Stack gap="md" component="ul" p={0} m={0}>
          {[...list].reverse().map((c) => (
            <ApprovalCard key={c.id} c={c} myId={session.user.id} myRole={session.user.role} userName={userName} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
