import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { Compensation } from '../../../api/types.ts';
import { formatDateTime, formatMoney } from '../../../ui/format.ts';
import { compensationStatusColor, compensationStatusLabel } from './status.ts';

/** What has been granted or asked for on this case, with where each stands. */
export function CaseCompensations({ items, userName }: { items: Compensation[]; userName: (id: string | null) => string }) {
  if (items.length === 0) return null;
  return (
    <Stack gap={6} component="ul" p={0} m={0} aria-label="Compensations on this case">
      {items.map((c) => (
        <Paper key={c.id} withBorder p="xs" radius="sm" component="li" style={{ listStyle: 'none' }}>
          <Stack gap={2}>
            <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
              <Text size="sm" fw={600}>
                {c.label}
              </Text>
              <Text size="sm" fw={600} style={{ flexShrink: 0 }}>
                {formatMoney(c.cost.amount, c.cost.currency)}
              </Text>
            </Group>
            <Group gap={6}>
              <Badge color={compensationStatusColor[c.status] ?? 'gray'} variant="light" size="sm">
                {compensationStatusLabel[c.status] ?? c.status}
              </Badge>
              <Text size="xs" c="dimmed">
                asked by {c.requestedBy.type === 'system' ? 'Amends' : userName(c.requestedBy.id)} · {formatDateTime(c.createdAt)}
              </Text>
            </Group>
            {c.code ? (
              <Text size="xs">
                Code for the customer: <b>{c.code}</b>
              </Text>
            ) : null}
            {c.decidedBy && c.decidedBy !== c.requestedBy.id ? (
              <Text size="xs">
                {c.status === 'rejected' ? 'Rejected' : c.status === 'cancelled' ? 'Cancelled' : 'Approved'} by {userName(c.decidedBy)}
                {c.decisionReason ? `: ${c.decisionReason}` : ''}
              </Text>
            ) : null}
            {c.lastError && c.status !== 'issued' ? (
              <Text size="xs" c="red.9">
                {c.lastError}
              </Text>
            ) : null}
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}
