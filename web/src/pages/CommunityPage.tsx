import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useSession } from '../features/auth/hooks/use-session.ts';
import { QueueCard } from '../features/community/components/QueueCard.tsx';
import { useModerationQueue } from '../features/community/hooks/use-community.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

/** The community's moderation queue: posts held for approval and open reports, oldest first. */
export function CommunityPage() {
  usePageTitle('Community');
  const session = useSession();
  const queue = useModerationQueue();
  const pending = queue.data?.pending ?? [];
  const reports = queue.data?.reports ?? [];
  const publicUrl = `/community/${encodeURIComponent(session.user.storeId)}`;
  return (
    <Stack gap="md" maw={900}>
      <Stack gap={0}>
        <Title order={1} size="h2">
          Community
        </Title>
        <Text size="sm" c="dimmed">
          Posts waiting for approval and reports from members.{' '}
          <Anchor href={publicUrl} target="_blank" rel="noopener" underline="always">
            Open the public community
          </Anchor>
        </Text>
      </Stack>
      {queue.isPending ? (
        <LoadingState label="Loading the moderation queue…" />
      ) : queue.isError ? (
        <ErrorState title="Could not load the moderation queue" error={queue.error} onRetry={() => queue.refetch()} />
      ) : (
        <>
          <Title order={2} size="h3">
            Waiting for approval ({pending.length})
          </Title>
          {pending.length === 0 ? (
            <Empty title="Nothing waiting">Posts held by pre-moderation or the spam rules appear here.</Empty>
          ) : (
            <Stack gap="sm" component="ul" p={0} m={0} aria-label="Posts waiting for approval">
              {pending.map((p) => (
                <QueueCard key={p.id} post={p} />
              ))}
            </Stack>
          )}
          <Title order={2} size="h3">
            Reports ({reports.length})
          </Title>
          {reports.length === 0 ? (
            <Empty title="No open reports">When a member reports a post, it appears here.</Empty>
          ) : (
            <Stack gap="sm" component="ul" p={0} m={0} aria-label="Reported posts">
              {reports.map((r) => (
                <QueueCard key={r.id} post={r.post} report={r} />
              ))}
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}
