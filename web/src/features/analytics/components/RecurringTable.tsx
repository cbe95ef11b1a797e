import { Badge, Table, Text } from '@mantine/core';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { RecurringIssue } from '../types.ts';

/** Week-over-week spikes the detector found, with the incident it suggests. */
export function RecurringTable({ issues }: { issues: RecurringIssue[] }) {
  if (issues.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No week in the period stood out: no spike found.
      </Text>
    );
  return (
    <ScrollTable minWidth={560} label="Recurring issues">
      <Table verticalSpacing={4} fz="sm" striped aria-label="Recurring issues">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Week of</Table.Th>
            <Table.Th>Issue</Table.Th>
            <Table.Th ta="right">Cases</Table.Th>
            <Table.Th ta="right">Usual a week</Table.Th>
            <Table.Th ta="right">z</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {issues.map((r) => {
            const top = [...r.spikes].sort((a, b) => b.z - a.z)[0];
            return (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.week}</Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {r.title}
                  </Text>
                  {r.suggestion?.summary ? (
                    <Text size="xs" c="dimmed">
                      {r.suggestion.summary}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td ta="right">{r.cases}</Table.Td>
                <Table.Td ta="right">{top ? top.baselineMean.toFixed(1) : '—'}</Table.Td>
                <Table.Td ta="right">{top ? top.z.toFixed(1) : '—'}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color="gray">
                    {r.status}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
