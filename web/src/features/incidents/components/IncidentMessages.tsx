import { Anchor, Badge, Group, List, Paper, Spoiler, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../../ui/format.ts';
import type { IncidentFull } from '../types.ts';
import { deliveryColor, deliveryLabel } from './labels.ts';

/**
 * The pre-emptive message each customer was sent, with its delivery as the outbox has it; then those still
 * waiting (quiet hours, cool-down) and those no longer needed.
 */
export function IncidentMessages({ incident }: { incident: IncidentFull }) {
  const name = new Map(incident.affected.map((a) => [a.customerId, a.name ?? a.email ?? a.customerId]));
  const caseNumber = new Map(incident.affected.flatMap((a) => a.cases.map((c) => [c.id, c.number] as const)));
  const unsent = incident.contacts.filter((c) => c.status !== 'sent');
  if (incident.messages.length === 0 && unsent.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No customer has been contacted about this incident.
      </Text>
    );
  return (
    <Stack gap="sm">
      {incident.messages.length > 0 ? (
        <List
          listStyleType="none"
          spacing="sm"
          aria-label="Messages sent"
          styles={{ itemWrapper: { width: '100%' }, itemLabel: { width: '100%' } }}
        >
          {incident.messages.map((m) => (
            <List.Item key={m.id}>
              <Paper withBorder p="sm">
                <Stack gap={6}>
                  <Group justify="space-between" gap="xs" wrap="wrap">
                    <Group gap={6} wrap="wrap">
                      <Text size="sm" fw={600}>
                        {m.customerName ?? name.get(m.customerId) ?? m.customerId}
                      </Text>
                      <Anchor component={Link} to={`/cases/${encodeURIComponent(m.caseId)}`} size="sm">
                        {m.caseNumber !== null ? `Case #${m.caseNumber}` : 'Open case'}
                      </Anchor>
                    </Group>
                    <Badge variant="light" color={deliveryColor[m.delivery.status] ?? 'gray'}>
                      {deliveryLabel[m.delivery.status] ?? m.delivery.status}
                    </Badge>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {[
                      m.channel ? `by ${m.channel}` : null,
                      m.locale ? `in ${m.locale}` : null,
                      `written ${formatDateTime(m.createdAt)}`,
                      m.delivery.sentAt ? `delivered ${formatDateTime(m.delivery.sentAt)}` : null,
                      m.delivery.attempts > 1 ? `${m.delivery.attempts} attempts` : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                  {m.delivery.detail && m.delivery.status !== 'sent' ? (
                    <Text size="xs" c={m.delivery.status === 'failed' ? 'red.9' : 'orange.9'}>
                      {m.delivery.detail}
                    </Text>
                  ) : null}
                  {m.subject ? (
                    <Text size="sm" fw={500}>
                      {m.subject}
                    </Text>
                  ) : null}
                  <Spoiler maxHeight={44} showLabel="Show the whole message" hideLabel="Show less">
                    <Text size="sm" className="prewrap">
                      {m.body}
                    </Text>
                  </Spoiler>
                </Stack>
              </Paper>
            </List.Item>
          ))}
        </List>
      ) : null}
      {unsent.length > 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Not sent ({unsent.length})
          </Text>
          <List size="sm" spacing={4} aria-label="Messages not sent">
            {unsent.map((c) => (
              <List.Item key={`${c.customerId}-${c.caseId}`}>
                <Anchor component={Link} to={`/cases/${encodeURIComponent(c.caseId)}`} size="sm" underline="always">
                  {name.get(c.customerId) ?? c.customerId}
                  {caseNumber.has(c.caseId) ? ` (case #${caseNumber.get(c.caseId)})` : ''}
                </Anchor>
                {': '}
                {c.status === 'waiting'
                  ? `waiting until ${formatDateTime(c.dueAt)}${c.reason ? ` (${c.reason.replaceAll('_', ' ')})` : ''}`
                  : `not needed${c.reason ? `: ${c.reason}` : ''}`}
              </List.Item>
            ))}
          </List>
        </Stack>
      ) : null}
    </Stack>
  );
}
