import { Anchor, Box, Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { IncidentStatusBadge, PublicBadge, SeverityBadge } from '../features/incidents/components/IncidentBadges.tsx';
import { type ChartMeasure, IncidentsChart } from '../features/incidents/components/IncidentsChart.tsx';
import { monitorLabel } from '../features/incidents/components/labels.ts';
import { useIncidents } from '../features/incidents/hooks/use-incidents.ts';
import type { Incident } from '../features/incidents/types.ts';
import { formatDateTime, plural } from '../ui/format.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

const dayChoices = [7, 30, 90];
const href = (i: Incident) => `/incidents/${encodeURIComponent(i.id)}`;

export function IncidentsPage() {
  usePageTitle('Incidents');
  const [params, setParams] = useSearchParams();
  const status = params.get('status') === 'resolved' ? 'resolved' : params.get('status') === 'all' ? undefined : 'open';
  const days = dayChoices.includes(Number(params.get('days'))) ? Number(params.get('days')) : 30;
  const measure: ChartMeasure = params.get('chart') === 'customers' ? 'customers' : 'incidents';
  const q = useIncidents(status);
  // One URL per view: the defaults (open, 30 days, incidents) are left out.
  const set = (key: string, value: string, fallback: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value === fallback) next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: true },
    );

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
      <IncidentsChart
        days={days}
        measure={measure}
        onDays={(d) => set('days', String(d), '30')}
        onMeasure={(m) => set('chart', m, 'incidents')}
      />
      <Group justify="space-between" gap="sm">
        <Title order={2} size="h4">
          {status === 'open' ? 'Open incidents' : status === 'resolved' ? 'Resolved incidents' : 'All incidents'}
        </Title>
        <SegmentedControl
          value={status ?? 'all'}
          onChange={(v) => set('status', v, 'open')}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'resolved', label: 'Resolved' },
            { value: 'all', label: 'All' },
          ]}
          aria-label="Which incidents"
        />
      </Group>
      {q.isPending ? (
        <LoadingState label="Loading incidents…" />
      ) : q.isError ? (
        <ErrorState title="Could not load incidents" error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.length === 0 ? (
        <Empty title={status === 'open' ? 'No open incidents' : status === 'resolved' ? 'No resolved incidents' : 'No incidents'}>
          {status === 'open'
            ? 'The monitors have found no failure with a shared cause that is still open.'
            : 'The monitors have not found failures with a shared cause.'}
        </Empty>
      ) : (
        <>
          <Box visibleFrom="sm">
            <Table striped highlightOnHover verticalSpacing="xs" aria-label="Incidents, newest first">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Incident</Table.Th>
                  <Table.Th>Found by</Table.Th>
                  <Table.Th>Severity</Table.Th>
                  <Table.Th ta="right">Customers</Table.Th>
                  <Table.Th ta="right">Findings</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Anchor component={Link} to={href(i)} size="sm" fw={500}>
                          {i.title}
                        </Anchor>
                        {i.public ? <PublicBadge isPublic /> : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>{monitorLabel(i.monitor)}</Table.Td>
                    <Table.Td>
                      <SeverityBadge severity={i.severity} />
                    </Table.Td>
                    <Table.Td ta="right">{i.affectedCustomers}</Table.Td>
                    <Table.Td ta="right">{i.firings}</Table.Td>
                    <Table.Td>{formatDateTime(i.startedAt)}</Table.Td>
                    <Table.Td>
                      <IncidentStatusBadge status={i.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Box>
          <Stack
            gap="xs"
            hiddenFrom="sm"
            component="ul"
            aria-label="Incidents, newest first"
            style={{ listStyle: 'none', padding: 0, margin: 0 }}
          >
            {q.data.map((i) => (
              <Paper key={i.id} withBorder p="sm" component="li">
                <Stack gap={4}>
                  <Anchor component={Link} to={href(i)} size="sm" fw={600}>
                    {i.title}
                  </Anchor>
                  <Group gap={6}>
                    <IncidentStatusBadge status={i.status} />
                    <SeverityBadge severity={i.severity} />
                    {i.public ? <PublicBadge isPublic /> : null}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {monitorLabel(i.monitor)} · {plural(i.affectedCustomers, 'customer')} · {plural(i.firings, 'finding')} · started{' '}
                    {formatDateTime(i.startedAt)}
                  </Text>
                </Stack>
              </Paper>
            ))}
          </Stack>
        </>
      )}
    </Stack>
  );
}
