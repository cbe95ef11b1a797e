import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/client.ts';
import { formatDateTime } from '../../../ui/format.ts';
import { ErrorState } from '../../../ui/states.tsx';
import { useCaseFollowups, useFollowupAction } from '../hooks/use-followups.ts';
import type { Followup, SurveyAnswer } from '../types.ts';

const kindLabel: Record<string, string> = { checkin: 'Check-in survey', personal_note: 'Personal note', nps: 'NPS question' };
const statusColor: Record<string, string> = { scheduled: 'blue', sent: 'green', done: 'green', cancelled: 'gray', skipped: 'gray' };
const scale: Record<string, { max: number; label: string; low: (n: number) => boolean }> = {
  csat: { max: 5, label: 'CSAT', low: (n) => n <= 2 },
  ces: { max: 7, label: 'CES (ease)', low: (n) => n <= 3 },
  nps: { max: 10, label: 'NPS', low: (n) => n <= 6 },
};

function Answer({ a }: { a: SurveyAnswer }) {
  const s = scale[a.metric] ?? { max: 0, label: a.metric.toUpperCase(), low: () => false };
  return (
    <Stack gap={0} data-testid="survey-answer">
      <Text size="sm">
        <Text span fw={600}>
          {s.label}:
        </Text>{' '}
        <Text span fw={700} c={s.low(a.score) ? 'red.9' : undefined}>
          {a.score}
        </Text>{' '}
        of {s.max} · {formatDateTime(a.answeredAt)}
      </Text>
      {a.comment ? (
        <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          “{a.comment}”
        </Text>
      ) : null}
    </Stack>
  );
}

function Row({
  f,
  caseId,
  userName,
  canClose,
}: {
  f: Followup;
  caseId: string;
  userName: (id: string | null) => string;
  canClose: (f: Followup) => boolean;
}) {
  const act = useFollowupAction(caseId);
  const run = (action: 'send-now' | 'done') =>
    act.mutate(
      { id: f.id, action },
      {
        onSuccess: () =>
          notifications.show({
            color: 'green',
            message: action === 'done' ? 'Personal note marked done.' : 'Check-in sent to the customer.',
          }),
        onError: (err) => notifications.show({ color: 'red', title: 'Not done', message: errorMessage(err) }),
      },
    );
  const when =
    f.status === 'scheduled'
      ? `due ${formatDateTime(f.dueAt)}`
      : f.sentAt
        ? `${f.status === 'done' ? 'done' : 'sent'} ${formatDateTime(f.sentAt)}`
        : formatDateTime(f.updatedAt);
  return (
    <Paper withBorder p="xs" radius="sm" data-testid={`followup-${f.kind}`}>
      <Stack gap={4}>
        <Group justify="space-between" gap={4} wrap="nowrap">
          <Text size="sm" fw={600}>
            {kindLabel[f.kind] ?? f.kind}
          </Text>
          <Badge size="sm" variant="light" color={statusColor[f.status] ?? 'gray'}>
            {f.status}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          {when}
          {f.kind === 'personal_note' ? ` · for ${userName(f.assigneeId)}` : ''}
        </Text>
        {f.detail ? <Text size="xs">{f.detail}</Text> : null}
        {f.answers.map((a) => (
          <Answer key={a.id} a={a} />
        ))}
        {f.status === 'scheduled' && f.kind !== 'personal_note' ? (
          <Group>
            <Button size="xs" variant="default" loading={act.isPending} onClick={() => run('send-now')}>
              {f.kind === 'nps' ? 'Send NPS question now' : 'Send check-in now'}
            </Button>
          </Group>
        ) : null}
        {f.status === 'scheduled' && f.kind === 'personal_note' && canClose(f) ? (
          <Group>
            <Button size="xs" variant="default" loading={act.isPending} onClick={() => run('done')}>
              Mark done
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** The case page's "Follow-up" panel: the check-in and its answers, a VIP's personal note, NPS. */
export function FollowUpPanel({
  caseId,
  version,
  userName,
  canClose,
}: {
  caseId: string;
  /** The case's updatedAt: follow-ups change when the case does. */
  version: string;
  userName: (id: string | null) => string;
  /** Whether the signed-in person may mark this personal note done (its assignee, or a manager). */
  canClose: (f: Followup) => boolean;
}) {
  const q = useCaseFollowups(caseId, version);
  if (q.isError) return <ErrorState title="Could not load the follow-ups" error={q.error} onRetry={() => q.refetch()} />;
  const list = q.data?.followups ?? [];
  const loose = (q.data?.answers ?? []).filter((a) => a.followupId === null);
  if (!q.isPending && list.length === 0 && loose.length === 0) return null;
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby="followup-title" data-testid="followup-panel">
      <Stack gap="xs">
        <Title order={2} size="h5" id="followup-title">
          Follow-up
        </Title>
        {q.isPending ? (
          <Text size="sm" c="dimmed" data-state="loading">
            Loading…
          </Text>
        ) : null}
        {list.map((f) => (
          <Row key={f.id} f={f} caseId={caseId} userName={userName} canClose={canClose} />
        ))}
        {loose.map((a) => (
          <Answer key={a.id} a={a} />
        ))}
      </Stack>
    </Paper>
  );
}
