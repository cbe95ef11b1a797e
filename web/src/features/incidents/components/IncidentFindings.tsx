import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { IncidentFull } from '../types.ts';
import { monitorLabel } from './labels.ts';

/** What each monitor firing found: the order or payment, whose it is, the case it went to, when. */
export function IncidentFindings({ incident }: { incident: IncidentFull }) {
  const name = new Map(incident.affected.map((a) => [a.customerId, a.name ?? a.email ?? a.customerId]));
  const caseNumber = new Map(incident.affected.flatMap((a) => a.cases.map((c) => [c.id, c.number] as const)));
  if (incident.findings.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No findings: the incident was opened by a metric crossing its threshold.
      </Text>
    );
  return (
    <ScrollTable minWidth={640} label="Findings">
      <Table verticalSpacing="xs" aria-label="Findings">
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
          {incident.findings.map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td>
                {monitorLabel(f.monitor)}
                <Text size="xs" c="dimmed">
                  {f.orderId ? `order ${f.orderId}` : f.subject}
                </Text>
              </Table.Td>
              <Table.Td>{f.customerId ? (name.get(f.customerId) ?? f.customerId) : '—'}</Table.Td>
              <Table.Td>
                {f.caseId ? (
                  <Anchor component={Link} to={`/cases/${encodeURIComponent(f.caseId)}`} size="sm">
                    {caseNumber.has(f.caseId) ? `#${caseNumber.get(f.caseId)}` : 'Open case'}
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
    </ScrollTable>
  );
}
