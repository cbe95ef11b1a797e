import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { humanize } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { AffectedCustomer } from '../types.ts';

const tierLabel: Record<string, string> = { vip: 'VIP', loyal: 'Loyal', regular: 'Regular', new: 'New' };
const tierColor: Record<string, string> = { vip: 'grape', loyal: 'teal', regular: 'blue', new: 'gray' };

/** Every customer the incident touched, their tier now, and their cases in it (a link to each). */
export function AffectedCustomers({ customers }: { customers: AffectedCustomer[] }) {
  if (customers.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No customer is affected: what the monitor found names no customer (a store-wide metric, for instance).
      </Text>
    );
  return (
    <ScrollTable minWidth={340} label="Affected customers">
      <Table verticalSpacing="xs" aria-label="Affected customers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Cases in this incident</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {customers.map((c) => (
            <Table.Tr key={c.customerId}>
              <Table.Td>
                <Group gap={6} wrap="nowrap" align="flex-start">
                  <Stack gap={0} style={{ minWidth: 0 }}>
                    <Text size="sm" fw={600}>
                      {c.name ?? c.email ?? c.customerId}
                    </Text>
                    <Text size="xs" c="dimmed" truncate>
                      {c.name && c.email ? c.email : c.customerId}
                    </Text>
                  </Stack>
                  {c.tier ? (
                    <Badge variant="light" color={tierColor[c.tier] ?? 'gray'} title="Their tier now" style={{ flexShrink: 0 }}>
                      {tierLabel[c.tier] ?? humanize(c.tier)}
                    </Badge>
                  ) : null}
                </Group>
              </Table.Td>
              <Table.Td>
                {c.cases.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No case
                  </Text>
                ) : (
                  <Stack gap={2}>
                    {c.cases.map((k) => (
                      <Anchor key={k.id} component={Link} to={`/cases/${encodeURIComponent(k.id)}`} size="sm">
                        Case #{k.number} · {humanize(k.status)}
                        {k.source === 'reactive' ? ' · they wrote first' : ''}
                      </Anchor>
                    ))}
                  </Stack>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
