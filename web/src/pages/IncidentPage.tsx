import { Anchor, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useIncident } from '../features/incidents/hooks/use-incidents.ts';
import { formatDateTime, humanize } from '../ui/format.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

export function IncidentPage() {
  const { id = '' } = useParams();
  const q = useIncident(id);
  usePageTitle(q.data?.title ?? 'Incident');
  if (q.isPending) return <LoadingState label="Loading the incident…" />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404)
      return <Empty title="No such incident">This store has no incident {id}.</Empty>;
    return <ErrorState title="Could not load the incident" error={q.error} onRetry={() => q.refetch()} />;
  }
  const i = q.data;
  const cause = Object.entries(i.cause).filter(([, v]) => v !== null && v !== false);
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/incidents" size="sm">
        ← Incidents
      </Anchor>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {i.title}
        </Title>
        <Group gap={6}>
          <Badge variant="light" color={i.status === 'open' ? 'orange' : 'green'}>
            {i.status}
          </Badge>
          <Badge variant="light" color="gray">
            severity {i.severity}
          </Badge>
          {i.public ? (
            <Badge variant="light">on the status page</Badge>
          ) : (
            <Badge variant="outline" color="gray">
              not public
            </Badge>
          )}
          {i.avertable ? (
            <Badge color="red" variant="light">
              avertable
            </Badge>
          ) : null}
        </Group>
        <Text size="sm" c="dimmed">
          {humanize(i.monitor)} · {humanize(i.kind)} · started {formatDateTime(i.startedAt)}
          {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''} · {i.affectedCustomers} customers
          {cause.length ? ` · ${cause.map(([k, v]) => `${k}: ${String(v)}`).join(', ')}` : ''}
        </Text>
      </Stack>
      <Title order={2} size="h4">
        Findings ({i.findings.length})
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>What</Table.Th>
              <Table.Th>Customer</Table.Th>
              <Table.Th>Case</Table.Th>
              <Table.Th>Failed</Table.Th>
              <Table.Th>Found</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {i.findings.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  {humanize(f.monitor)} · {f.subject}
                </Table.Td>
                <Table.Td>{f.customerId ?? '—'}</Table.Td>
                <Table.Td>
                  {f.caseId ? (
                    <Anchor component={Link} to={`/cases/${encodeURIComponent(f.caseId)}`} size="sm">
                      open case
                    </Anchor>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>{formatDateTime(f.failureAt)}</Table.Td>
                <Table.Td>{formatDateTime(f.firedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Title order={2} size="h4">
        Customer messages ({i.contacts.length})
      </Title>
      {i.contacts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No customer has been contacted about this incident.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Customer</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Why</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {i.contacts.map((c) => (
                <Table.Tr key={`${c.customerId}-${c.caseId}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/cases/${encodeURIComponent(c.caseId)}`} size="sm">
                      {c.customerId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{c.status}</Table.Td>
                  <Table.Td>{formatDateTime(c.dueAt)}</Table.Td>
                  <Table.Td>{formatDateTime(c.sentAt)}</Table.Td>
                  <Table.Td>{c.reason ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
