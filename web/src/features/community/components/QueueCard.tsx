import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { errorMessage } from '../../../api/client.ts';
import { formatDateTime } from '../../../ui/format.ts';
import { type ModerationVerb, type QueuePost, useModerate } from '../hooks/use-community.ts';

/** One post in the moderation queue, with what a moderator can do about it. */
export function QueueCard({ post, report }: { post: QueuePost; report?: { id: string; reason: string; reporter: string | null } }) {
  const moderate = useModerate();
  const run = (m: ModerationVerb, done: string) =>
    moderate.mutate(m, {
      onSuccess: (r) =>
        notifications.show({
          color: 'green',
          message: r.caseId ? `${done}: case opened` : done,
        }),
      onError: (err) => notifications.show({ color: 'red', title: 'Could not do that', message: errorMessage(err) }),
    });
  const heading = post.kind === 'question' ? post.title : `Answer to “${post.questionTitle ?? 'a question'}”`;
  const busy = moderate.isPending;
  return (
    <Card withBorder component="li" padding="md" aria-label={heading ?? 'Post'} data-post={post.id}>
      <Stack gap="xs">
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text fw={600}>{heading}</Text>
          <Group gap={6}>
            <Badge variant="light" color={post.status === 'pending' ? 'orange' : post.status === 'hidden' ? 'gray' : 'blue'}>
              {post.status}
            </Badge>
            {post.author.banned ? <Badge color="red">banned author</Badge> : null}
          </Group>
        </Group>
        {report ? (
          <Text size="sm">
            <Text span fw={600}>
              Reported
            </Text>{' '}
            by {report.reporter ?? 'a member'}: {report.reason}
          </Text>
        ) : null}
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {post.excerpt}
        </Text>
        <Text size="xs" c="dimmed">
          {post.author.displayName} ({post.author.email}, {post.author.reputation} reputation) · {formatDateTime(post.createdAt)} ·{' '}
          <Anchor href={post.url} target="_blank" rel="noopener" size="xs" underline="always">
            public page
          </Anchor>
          {post.caseId ? (
            <>
              {' · '}
              <Anchor component={Link} to={`/cases/${encodeURIComponent(post.caseId)}`} size="xs" underline="always">
                case
              </Anchor>
            </>
          ) : null}
        </Text>
        <Group gap="xs" wrap="wrap">
          {post.status === 'pending' ? (
            <Button size="xs" disabled={busy} onClick={() => run({ target: 'post', id: post.id, verb: 'approve' }, 'Published')}>
              Approve
            </Button>
          ) : null}
          {post.status === 'pending' || post.status === 'published' ? (
            <Button
              size="xs"
              color="red"
              variant="light"
              disabled={busy}
              onClick={() =>
                report
                  ? run({ target: 'report', id: report.id, verb: 'uphold' }, 'Hidden')
                  : run({ target: 'post', id: post.id, verb: 'hide' }, 'Hidden')
              }
            >
              Hide
            </Button>
          ) : null}
          {report ? (
            <Button
              size="xs"
              variant="default"
              disabled={busy}
              onClick={() => run({ target: 'report', id: report.id, verb: 'dismiss' }, 'Report dismissed')}
            >
              Dismiss report
            </Button>
          ) : null}
          {!post.caseId && post.status !== 'hidden' ? (
            <Button
              size="xs"
              variant="default"
              disabled={busy}
              onClick={() => run({ target: 'post', id: post.id, verb: 'take-private' }, 'Taken private')}
            >
              Take private
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}
