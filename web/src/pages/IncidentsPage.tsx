import { Anchor, Badge, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { useIncidents } from '../features/incidents/hooks/use-incidents.ts';
import { formatDateTime, humanize } from '../ui/format.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

export function IncidentsPage() {
  usePageTitle('Incidents');
  const [params, setParams] = useSearchParams();
  const status = params.get('status') === 'resolved' ? 'resolved' : params.get('status') === 'all' ? undefined : 'open';
  const q = useIncidents(status);
  return (
    <Stack gap="md">
      <Stack gap={0}>
        <Title order={1} size="h2">
          Incidents
        </Title>
        <Text size="sm" c="dimmed">
          Failures with a shared cause (a carrier’s bad day, an outage, a sold-out item), found by the monitors.
        </Text>
      </Stack>
      <SegmentedControl
        w="fit-content"
        value={status ?? 'all'}
        onChange={(v) => setParams(v === 'open' ? {} : { status: v }, { replace: true })}
        data={[
          { value: 'open', label: 'Open' },
          { value: 'resolved', label: 'Resolved' },
          { value: 'all', label: 'All' },
        ]}
        aria-label="Which incidents"
      />
      {q.isPending ? (
        <LoadingState label="Loading incidents…" />
      ) : q.isError ? (
        <ErrorState title="Could not load incidents" error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.length === 0 ? (
        <Empty title={status === 'open' ? 'No open incidents' : 'No incidents'}>
          The monitors have not found failures with a shared cause.
        </Empty>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Incident</Table.Th>
                <Table.Th>Found by</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Customers</Table.Th>
                <Table.Th>Findings</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.data.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/incidents/${encodeURIComponent(i.id)}`} size="sm">
                      {i.title}
                    </Anchor>
                    {i.public ? (
                      <Badge ml={6} size="xs" variant="light">
                        public
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{humanize(i.monitor)}</Table.Td>
                  <Table.Td>{i.severity}</Table.Td>
                  <Table.Td>{i.affectedCustomers}</Table.Td>
                  <Table.Td>{i.firings}</Table.Td>
                  <Table.Td>{formatDateTime(i.startedAt)}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={i.status === 'open' ? 'orange' : 'green'}>
                      {i.status}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
