import { Badge, Button, Group, ScrollArea } from '@mantine/core';
import { Link } from 'react-router';
import { type QueueId, queueHelp, queueIds, queueLabel } from '../queues.ts';

/** The queues as links that keep the other filters; each with its count. */
export function QueueNav({
  current,
  counts,
  hrefFor,
}: {
  current: QueueId;
  counts: Record<QueueId, number>;
  hrefFor: (q: QueueId) => string;
}) {
  return (
    <ScrollArea type="auto" offsetScrollbars="x" scrollbarSize={6}>
      <Group component="nav" aria-label="Queues" gap={6} wrap="nowrap" pb={4}>
        {queueIds.map((q) => {
          const active = q === current;
          return (
            <Button
              key={q}
              component={Link}
              to={hrefFor(q)}
              replace
              size="compact-sm"
              variant={active ? 'filled' : 'default'}
              aria-current={active ? 'page' : undefined}
              title={queueHelp[q]}
              style={{ flexShrink: 0 }}
              rightSection={
                <Badge
                  size="sm"
                  variant={active ? 'white' : 'light'}
                  color={q === 'breaching' && counts[q] > 0 ? 'red' : 'gray'}
                  circle={counts[q] < 10}
                >
                  {counts[q]}
                </Badge>
              }
            >
              {queueLabel[q]}
            </Button>
          );
        })}
      </Group>
    </ScrollArea>
  );
}
