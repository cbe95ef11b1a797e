import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime, formatMoney, humanize } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { CurrencyTotal, IncidentFull, IncidentRemedy } from '../types.ts';

const statusLabel: Record<string, string> = {
  proposed: 'Proposed',
  pending_approval: 'Waiting for approval',
  approved: 'Approved, issuing',
  issuing: 'Issuing',
  issued: 'Issued',
  cancelled: 'Cancelled',
  failed: 'Failed',
};
const statusColor: Record<string, string> = {
  proposed: 'gray',
  pending_approval: 'orange',
  approved: 'blue',
  issuing: 'blue',
  issued: 'green',
  cancelled: 'gray',
  failed: 'red',
};

/** What the remedy gives: money, a percentage off, or points. */
function worth(r: IncidentRemedy): string {
  if (r.amount) return formatMoney(r.amount.amount, r.amount.currency);
  if (r.percentOff !== null) return `${r.percentOff} % off`;
  if (r.points !== null) return `${r.points} points`;
  return '—';
}

export function totalsText(totals: CurrencyTotal[]): string {
  return totals.map((t) => `${formatMoney(t.amount, t.currency)} (${t.count})`).join(' + ');
}

/** Every compensation granted or asked for on the incident's cases, with what was issued in total. */
export function IncidentRemedies({ incident }: { incident: IncidentFull }) {
  const { remedies, totals } = incident;
  const name = new Map(incident.affected.map((a) => [a.customerId, a.name ?? a.email ?? a.customerId]));
  if (remedies.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No remedy has been granted on this incident’s cases.
      </Text>
    );
  return (
    <Stack gap="xs">
      <Group gap="lg">
        <Text size="sm">
          <Text span fw={600}>
            Issued:
          </Text>{' '}
          {totals.remediesIssued.length ? totalsText(totals.remediesIssued) : 'nothing yet'}
        </Text>
        {totals.remediesPending.length ? (
          <Text size="sm">
            <Text span fw={600}>
              Not issued yet:
            </Text>{' '}
            {totalsText(totals.remediesPending)}
          </Text>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed">
        Totals are the cost to the store; the count is in brackets.
      </Text>
      <ScrollTable minWidth={760} label="Remedies">
        <Table verticalSpacing="xs" aria-label="Remedies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Remedy</Table.Th>
              <Table.Th>Customer</Table.Th>
              <Table.Th>Case</Table.Th>
              <Table.Th>Worth</Table.Th>
              <Table.Th>Cost</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Approved</Table.Th>
              <Table.Th>Issued</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {remedies.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Text size="sm">{r.label}</Text>
                  <Text size="xs" c="dimmed">
                    {humanize(r.kind)}
                    {r.requestedBy.type === 'system' ? ' · by the policy' : ''}
                  </Text>
                </Table.Td>
                <Table.Td>{r.customerId ? (name.get(r.customerId) ?? r.customerId) : '—'}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${encodeURIComponent(r.caseId)}`} size="sm">
                    {r.caseNumber !== null ? `#${r.caseNumber}` : 'Open'}
                  </Anchor>
                </Table.Td>
                <Table.Td>{worth(r)}</Table.Td>
                <Table.Td>{formatMoney(r.cost.amount, r.cost.currency)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={statusColor[r.status] ?? 'gray'}>
                    {statusLabel[r.status] ?? humanize(r.status)}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(r.approvedAt)}</Table.Td>
                <Table.Td>{formatDateTime(r.issuedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Stack>
  );
}
