import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { CaseMessage } from '../../../api/types.ts';
import { formatDateTime } from '../../../ui/format.ts';
import { Empty } from '../../../ui/states.tsx';
import { useCaseAttachments } from '../hooks/use-attachments.ts';
import type { CaseAttachment } from '../types.ts';
import { Attachments } from './Attachments.tsx';

const deliveryLabel: Record<string, string> = {
  queued: 'sending',
  sending: 'sending',
  sent: 'sent',
  failed: 'not delivered',
  skipped: 'not sent',
};

const deliveryHelp: Record<string, string> = {
  queued: 'Waiting for the channel to deliver it',
  skipped: 'There was nowhere to send it: no e-mail server or address is set up for this store or customer',
  failed: 'The channel refused it for good or ran out of attempts',
};

const who = (m: CaseMessage, customer: string, userName: (id: string | null) => string) =>
  m.kind === 'inbound' ? customer : m.authorType === 'system' ? 'Amends (automatic)' : userName(m.authorId);

/**
 * The messages of the case, oldest first: the customer's words (with the files they sent), our replies, and the
 * team's notes.
 */
export function Conversation({
  caseId,
  messages,
  customer,
  channel,
  userName,
}: {
  caseId: string;
  messages: CaseMessage[];
  channel: string | null;
  customer: string;
  userName: (id: string | null) => string;
}) {
  const files = useCaseAttachments(caseId).data ?? [];
  const filesOf = (id: string | null): CaseAttachment[] => files.filter((a) => a.messageId === id);
  // Files whose message is not in the list (none, or a message since removed) still show, after the last one.
  const shown = new Set(messages.map((m) => m.id));
  const loose = files.filter((a) => a.messageId === null || !shown.has(a.messageId));
  if (messages.length === 0 && files.length === 0) return <Empty title="No messages yet">Nobody has written on this case yet.</Empty>;
  return (
    <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {messages.map((m) => (
        <Paper
          component="li"
          key={m.id}
          withBorder
          p="sm"
          radius="md"
          bg={m.kind === 'note' ? 'yellow.0' : m.kind === 'inbound' ? 'white' : 'blue.0'}
          // Notes never reach the customer: a dashed yellow card, so nobody mistakes one for a reply.
          style={{
            borderLeft: `4px solid var(--mantine-color-${m.kind === 'note' ? 'yellow-6' : m.kind === 'inbound' ? 'orange-6' : 'blue-6'})`,
            ...(m.kind === 'note' ? { borderStyle: 'dashed', borderLeftStyle: 'solid', borderColor: 'var(--mantine-color-yellow-6)' } : {}),
          }}
          data-kind={m.kind}
        >
          <Group justify="space-between" gap="xs" mb={4} wrap="wrap">
            <Group gap={6}>
              <Text size="sm" fw={600}>
                {who(m, customer, userName)}
              </Text>
              <Badge size="xs" variant="light" color={m.kind === 'note' ? 'yellow' : m.kind === 'inbound' ? 'orange' : 'blue'}>
                {m.kind === 'inbound'
                  ? `via ${m.channel ?? channel ?? 'an unknown channel'}`
                  : m.kind === 'note'
                    ? 'internal note · team only'
                    : 'reply'}
              </Badge>
              {m.kind === 'reply' && m.status ? (
                <Badge size="xs" variant="outline" color={m.status === 'failed' ? 'red' : 'gray'} title={deliveryHelp[m.status]}>
                  {deliveryLabel[m.status] ?? m.status}
                </Badge>
              ) : null}
            </Group>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.createdAt)}
            </Text>
          </Group>
          {m.subject ? (
            <Text size="sm" fw={600} mb={4}>
              Subject: {m.subject}
            </Text>
          ) : null}
          <Text size="sm" className="prewrap">
            {m.body}
          </Text>
          <Attachments files={filesOf(m.id)} />
        </Paper>
      ))}
      {loose.length > 0 ? (
        <Paper component="li" withBorder p="sm" radius="md">
          <Text size="sm" fw={600}>
            Files from {customer}
          </Text>
          <Attachments files={loose} />
        </Paper>
      ) : null}
    </Stack>
  );
}
