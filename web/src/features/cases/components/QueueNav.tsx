import { Badge, Button, Group, ScrollArea } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { type QueueId, queueHelp, queueIds, queueLabel } from '../queues.ts';

/** The queues as links that keep the other filters; each with its count (from the server; "…" until it answers). */
export function QueueNav({
  current,
  counts,
  hrefFor,
}: {
  current: QueueId;
  counts: Record<QueueId, number> | undefined;
  hrefFor: (q: QueueId) => string;
}) {
  const nav = useRef<HTMLDivElement>(null);
  // On a phone the row of queues scrolls: keep the current one in sight.
  // biome-ignore lint/correctness/useExhaustiveDependencies: again whenever the current queue changes
  useEffect(() => {
    nav.current?.querySelector('[aria-current="page"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [current]);
  return (
    <ScrollArea type="auto" offsetScrollbars="x" scrollbarSize={6}>
      <Group ref={nav} component="nav" aria-label="Queues" gap={6} wrap="nowrap" pb={4}>
        {queueIds.map((q) => {
          const active = q === current;
          const n = counts?.[q];
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
                  color={q === 'breaching' && (n ?? 0) > 0 ? 'red' : 'gray'}
                  circle={n !== undefined && n < 10}
                >
                  {n ?? '…'}
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
