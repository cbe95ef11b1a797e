import { Badge, Group, Text } from '@mantine/core';
import type { SlaClock } from '../../../api/types.ts';
import { Countdown } from '../../../ui/Countdown.tsx';
import { formatDateTime } from '../../../ui/format.ts';

const metricLabel = { first_response: 'First reply', resolution: 'Resolution' } as const;

/** Each SLA clock: met, paused, or how long is left (business hours are already in the due instant). */
export function SlaClocks({ clocks, now }: { clocks: SlaClock[]; now: number }) {
  if (clocks.length === 0) return null;
  return (
    <Group gap="md" wrap="wrap">
      {clocks.map((s) => (
        <Group key={s.metric} gap={6} wrap="nowrap">
          <Text size="sm" fw={600}>
            {metricLabel[s.metric]}:
          </Text>
          {s.metAt ? (
            <Text size="sm" c={s.breached ? 'red.9' : 'green.9'}>
              {s.breached ? 'met late' : 'met'} {formatDateTime(s.metAt)}
            </Text>
          ) : s.pausedAt ? (
            <Badge variant="light" color="gray">
              paused while waiting on the customer
            </Badge>
          ) : s.dueAt ? (
            <Countdown at={s.dueAt} now={now} warnMs={s.warnAt ? Date.parse(s.dueAt) - Date.parse(s.warnAt) : undefined} />
          ) : (
            <Text size="sm" c="dimmed">
              {s.status}
            </Text>
          )}
        </Group>
      ))}
    </Group>
  );
}
