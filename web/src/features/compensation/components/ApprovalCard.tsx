import { Alert, Anchor, Badge, Button, Group, List, Paper, Skeleton, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage } from '../../../api/client.ts';
import type { CaseDetail, Compensation, Role } from '../../../api/types.ts';
import { formatDateTime, formatMoney, humanize } from '../../../ui/format.ts';
import { useDecideCompensation } from '../hooks/use-compensation.ts';

/** The case behind a request: enough to judge it without leaving the page. */
function CaseContext({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['cases', 'detail', caseId],
    queryFn: ({ signal }) => api.get<CaseDetail>(`/api/v1/cases/${encodeURIComponent(caseId)}`, { signal }),
    staleTime: 30_000,
  });
  if (q.isPending) return <Skeleton height={32} />;
  if (q.isError)
    return (
      <Text size="xs" c="red.9">
        Could not load case {caseId}: {q.error.message}
      </Text>
    );
  const c = q.data;
  const said = c.messages.find((m) => m.kind === 'inbound');
  return (
    <Stack gap={4}>
      <Text size="sm">
        <Anchor component={Link} to={`/cases/${encodeURIComponent(c.id)}`} fw={600}>
          Case #{c.number}
        </Anchor>{' '}
        {c.subject ?? 'No subject'}
      </Text>
      <Text size="xs" c="dimmed">
        {humanize(c.kind)} · severity {c.severity ?? '—'} ·{' '}
        {c.customerTier ? `${c.customerTier === 'vip' ? 'VIP' : humanize(c.customerTier)} customer` : 'tier unknown'} · {humanize(c.status)}
        {c.priority ? ` · ${c.priority.level} priority` : ''}
      </Text>
      {c.guardrails.length > 0 ? (
        <Text size="xs" c="orange.9">
          Guardrails: {c.guardrails.map((g) => g.reason).join('; ')}
        </Text>
      ) : null}
      {said ? (
        <Text size="xs" lineClamp={3} className="prewrap" c="dimmed">
          “{said.body}”
        </Text>
      ) : null}
    </Stack>
  );
}

/** One pending compensation with its context; approve (reason optional) or reject (reason required). */
export function ApprovalCard({
  c,
  myId,
  myRole,
  userName,
}: {
  c: Compensation;
  myId: string;
  myRole: Role;
  userName: (id: string | null) => string;
}) {
  const decide = useDecideCompensation();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const own = c.requestedBy.id === myId;
  const needsAdmin = c.approverRole === 'admin' && myRole !== 'admin';
  const blocked = own || needsAdmin;

  const run = (verb: 'approve' | 'reject') => {
    if (verb === 'reject' && !reason.trim()) {
      setMissing(true);
      return;
    }
    decide.mutate(
      { id: c.id, verb, reason: reason.trim() },
      {
        onSuccess: (r) =>
          notifications.show({
            color: verb === 'approve' ? 'green' : 'orange',
            message: verb === 'approve' ? `${r.label}: approved, and being issued.` : `${r.label}: rejected.`,
          }),
        onError: (err) => notifications.show({ color: 'red', title: 'Not decided', message: errorMessage(err) }),
      },
    );
  };

  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="li"
      style={{ listStyle: 'none' }}
      aria-label={`${c.label}, ${formatMoney(c.cost.amount, c.cost.currency)}`}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2}>
            <Text fw={600}>{c.label}</Text>
            <Text size="xs" c="dimmed">
              Asked by {c.requestedBy.type === 'system' ? 'Amends' : userName(c.requestedBy.id)}
              {c.requestedBy.role ? ` (${c.requestedBy.role})` : ''} · {formatDateTime(c.createdAt)} · rule {c.ruleId}
            </Text>
          </Stack>
          <Group gap={6}>
            <Badge color="orange" variant="light">
              needs {c.approverRole ?? 'manager'}
            </Badge>
            <Text fw={700}>{formatMoney(c.cost.amount, c.cost.currency)}</Text>
          </Group>
        </Group>
        <CaseContext caseId={c.caseId} />
        {c.approvalReasons.length > 0 ? (
          <div>
            <Text size="xs" fw={600}>
              Why it needs approval
            </Text>
            <List size="xs" spacing={2}>
              {c.approvalReasons.map((r) => (
                <List.Item key={r}>{r}</List.Item>
              ))}
            </List>
          </div>
        ) : null}
        {c.justification ? (
          <Text size="sm">
            <b>Justification:</b> {c.justification}
          </Text>
        ) : null}
        {blocked ? (
          <Alert variant="light" color="gray" p="xs">
            {own ? 'You asked for this one, so another manager decides it.' : 'Above the manager limit: an admin decides this one.'}
          </Alert>
        ) : null}
        <Textarea
          label="Reason (needed to reject)"
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setMissing(false);
          }}
          error={missing ? 'Say why, so the agent can tell the customer' : undefined}
          autosize
          minRows={1}
          maxLength={2000}
          disabled={blocked}
        />
        <Group gap="xs">
          <Button
            color="green"
            onClick={() => run('approve')}
            loading={decide.isPending && decide.variables?.verb === 'approve'}
            disabled={blocked}
          >
            Approve
          </Button>
          <Button
            color="red"
            variant="light"
            onClick={() => run('reject')}
            loading={decide.isPending && decide.variables?.verb === 'reject'}
            disabled={blocked}
          >
            Reject
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
