import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorState, LoadingState } from '../../../ui/states.tsx';
import { useChannelsStatus } from '../hooks/use-settings.ts';
import { SettingsSection } from './SettingsSection.tsx';

function Status({ ok, children }: { ok: boolean; children: ReactNode }) {
  return (
    <Badge color={ok ? 'green' : 'gray'} variant="light">
      {children}
    </Badge>
  );
}

/** Shopify, e-mail, Slack and the chat widget: whether each is set up, read from the store's channels (admins). */
export function ConnectionsPanel() {
  const q = useChannelsStatus(true);
  return (
    <SettingsSection
      title="Connections"
      description={
        <>
          Status only. Connect Shopify with <Code>amends store shopify</Code>; e-mail, Slack and the widget with{' '}
          <Code>PUT /api/v1/store/channels</Code>.
        </>
      }
    >
      {q.isPending ? (
        <LoadingState label="Loading connections…" />
      ) : q.isError ? (
        <ErrorState title="Could not load the connections" error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Table aria-label="Connections" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Connection</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr>
              <Table.Td>Shopify</Table.Td>
              <Table.Td>
                <Status ok={q.data.shopify.connected}>{q.data.shopify.connected ? 'Connected' : 'Not connected'}</Status>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{q.data.shopify.domain ?? '—'}</Text>
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>E-mail (SMTP)</Table.Td>
              <Table.Td>
                <Status ok={!!q.data.channels.email?.smtp}>
                  {q.data.channels.email?.smtp ? 'Sending by SMTP' : q.data.channels.email ? 'No SMTP server' : 'Not set up'}
                </Status>
              </Table.Td>
              <Table.Td>
                {q.data.channels.email ? (
                  <Stack gap={0}>
                    <Text size="sm">From {q.data.channels.email.from}</Text>
                    {q.data.channels.email.smtp ? (
                      <Text size="xs" c="dimmed">
                        {q.data.channels.email.smtp.host}:{q.data.channels.email.smtp.port}
                        {q.data.channels.email.smtp.secure ? ' (TLS)' : ''}
                      </Text>
                    ) : null}
                    <Text size="xs" c="dimmed">
                      Replies to reply+…@{q.data.channels.email.replyDomain}
                    </Text>
                  </Stack>
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>Slack alerts</Table.Td>
              <Table.Td>
                <Status ok={!!q.data.channels.slack}>{q.data.channels.slack ? 'Connected' : 'Not set up'}</Status>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {q.data.channels.slack
                    ? q.data.channels.slack.events?.length
                      ? q.data.channels.slack.events.join(', ')
                      : 'all alerts'
                    : '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>Chat widget</Table.Td>
              <Table.Td>
                <Status ok={!!q.data.channels.widget}>{q.data.channels.widget ? 'Configured' : 'Defaults'}</Status>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Text size="sm">
                    {q.data.channels.widget?.allowedOrigins?.length
                      ? q.data.channels.widget.allowedOrigins.join(', ')
                      : 'any site may embed it'}
                    {q.data.channels.widget?.requireIdentity ? ' · signed visitors only' : ''}
                  </Text>
                </Group>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </SettingsSection>
  );
}
