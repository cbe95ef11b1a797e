import { Box, Group, Text } from '@mantine/core';
import type { Ref } from 'react';
import { Link } from 'react-router';
import type { CaseSummary } from '../../../api/types.ts';
import { Countdown } from '../../../ui/Countdown.tsx';
import { formatRelative } from '../../../ui/format.ts';
import { CustomerName } from '../../customers/components/CustomerName.tsx';
import { BREACH_WINDOW_MS, nextDue } from '../queues.ts';
import { EmotionLabel, KindLabel, PriorityBadge, StatusBadge, TierBadge } from './CaseBadges.tsx';

interface Props {
  c: CaseSummary;
  now: number;
  active: boolean;
  assignee: string | null;
  awaitingApproval: boolean;
  onFocus: () => void;
  ref?: Ref<HTMLAnchorElement>;
}

/** One inbox line: who, how bad, how they feel, how long we have. The whole row is the link to the case. */
export function CaseRow({ c, now, active, assignee, awaitingApproval, onFocus, ref }: Props) {
  const due = nextDue(c);
  const sla = due ? (
    <Countdown
      at={due.at}
      now={now}
      warnMs={BREACH_WINDOW_MS}
      prefix={due.metric === 'first reply' ? 'reply' : 'resolve'}
      style={{ whiteSpace: 'nowrap' }}
    />
  ) : (
    <Text component="span" size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
      {c.status === 'waiting_on_customer' ? 'SLA paused' : 'no SLA'}
    </Text>
  );
  return (
    <Link
      ref={ref}
      to={`/cases/${encodeURIComponent(c.id)}`}
      className="case-row"
      data-active={active}
      data-case-id={c.id}
      tabIndex={active ? 0 : -1}
      onFocus={onFocus}
      aria-current={active ? 'true' : undefined}
    >
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Group gap={8} wrap="nowrap" miw={0} style={{ flex: 1 }}>
          <Box style={{ flexShrink: 0 }}>
            <PriorityBadge priority={c.priority} />
          </Box>
          <Text component="span" size="sm" c="dimmed" ff="monospace" style={{ flexShrink: 0 }}>
            #{c.number}
          </Text>
          <Box miw={0} maw={220} style={{ flexShrink: 1 }}>
            <CustomerName id={c.customerId} name={c.customerName} />
          </Box>
          <Box style={{ flexShrink: 0 }}>
            <TierBadge tier={c.customerTier} />
          </Box>
          <Text component="span" size="sm" truncate miw={0} style={{ flex: 1 }} visibleFrom="sm">
            {c.subject ?? 'No subject'}
          </Text>
        </Group>
        <Box visibleFrom="sm">{sla}</Box>
      </Group>
      <Text size="sm" truncate hiddenFrom="sm" mt={2}>
        {c.subject ?? 'No subject'}
      </Text>
      <Group gap={6} mt={4} wrap="wrap">
        <Box hiddenFrom="sm">{sla}</Box>
        <Text component="span" size="xs" c="dimmed">
          <KindLabel kind={c.kind} severity={c.severity} />
        </Text>
        {c.emotion ? (
          <Text component="span" size="xs" c="dimmed">
            · <EmotionLabel emotion={c.emotion} />
          </Text>
        ) : null}
        <Text component="span" size="xs" c="dimmed">
          · {c.source === 'proactive' ? 'Proactive' : `Customer (${c.channel ?? 'unknown channel'})`}
        </Text>
        <Text component="span" size="xs" c="dimmed">
          · {assignee ? `Assigned to ${assignee}` : 'Unassigned'}
        </Text>
        <Text component="span" size="xs" c="dimmed">
          · opened {formatRelative(c.createdAt, now)}
        </Text>
        <StatusBadge status={c.status} />
        {awaitingApproval ? (
          <Text component="span" size="xs" c="orange.9" fw={600}>
            Awaiting approval
          </Text>
        ) : null}
      </Group>
    </Link>
  );
}
