import { SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { WeakSpots } from '../types.ts';

type Dim = 'products' | 'carriers' | 'hours';
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const dimLabel: Record<Dim, string> = { products: 'Product (SKU)', carriers: 'Carrier', hours: 'Hour ordered' };

/** The products, carriers and hours whose orders fail most often, surest first (ranked by the interval's low end). */
export function WeakSpotsTable({ spots }: { spots: WeakSpots }) {
  const [dim, setDim] = useState<Dim>('products');
  const rows = spots[dim];
  const label = `Weak spots by ${dimLabel[dim].toLowerCase()}`;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={dim}
        onChange={(v) => setDim(v as Dim)}
        data={[
          { value: 'products', label: 'Products' },
          { value: 'carriers', label: 'Carriers' },
          { value: 'hours', label: 'Hours' },
        ]}
        aria-label="Weak spots by"
        style={{ alignSelf: 'flex-start' }}
      />
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing with at least {spots.minOrders} orders in the period.
        </Text>
      ) : (
        <ScrollTable minWidth={520} label={label}>
          <Table verticalSpacing={4} fz="sm" striped aria-label={label}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{dimLabel[dim]}</Table.Th>
                <Table.Th ta="right">Orders</Table.Th>
                <Table.Th ta="right">Failed</Table.Th>
                <Table.Th ta="right">Failure rate</Table.Th>
                <Table.Th ta="right">95 % interval</Table.Th>
                <Table.Th ta="right">× store</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.value}>
                  <Table.Td>{dim === 'hours' ? `${r.value}:00` : r.value}</Table.Td>
                  <Table.Td ta="right">{r.orders}</Table.Td>
                  <Table.Td ta="right">{r.failed}</Table.Td>
                  <Table.Td ta="right">{pct(r.rate)}</Table.Td>
                  <Table.Td ta="right">
                    {pct(r.low)} – {pct(r.high)}
                  </Table.Td>
                  <Table.Td ta="right">{r.lift === null ? '—' : r.lift.toFixed(2)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
