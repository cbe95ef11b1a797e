import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Priority, StoreChannels, StoreInfo, StoreSettings } from '../api/types.ts';
import { useSession } from '../features/auth/hooks/use-session.ts';
import { useUsers } from '../features/team/hooks/use-users.ts';
import { formatDate, formatDuration, humanize } from '../ui/format.ts';
import { ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const priorities: Priority[] = ['urgent', 'high', 'normal', 'low'];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** The store's settings, read-only in this version of the console (editing comes next). */
export function SettingsPage() {
  usePageTitle('Settings');
  const store = useQuery({ queryKey: ['store'], queryFn: ({ signal }) => api.get<StoreInfo>('/api/v1/store', { signal }) });
  const settings = useQuery({
    queryKey: ['store', 'settings'],
    queryFn: ({ signal }) => api.get<StoreSettings>('/api/v1/store/settings', { signal }),
  });
  const session = useSession();
  const isAdmin = session.user.role === 'admin';
  // Connection settings carry (masked) secrets: the API shows them to admins only.
  const channels = useQuery({
    queryKey: ['store', 'channels'],
    queryFn: ({ signal }) => api.get<StoreChannels>('/api/v1/store/channels', { signal }),
    enabled: isAdmin,
  });
  const users = useUsers();

  if (store.isPending || settings.isPending) return <LoadingState label="Loading settings…" />;
  if (store.isError) return <ErrorState title="Could not load the store" error={store.error} onRetry={() => store.refetch()} />;
  if (settings.isError) return <ErrorState title="Could not load the settings" error={settings.error} onRetry={() => settings.refetch()} />;
  const e = settings.data.effective;
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Settings
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Section title="Store">
          <Stack gap={4}>
            <Text size="sm">
              <b>{store.data.name}</b> (<Code>{store.data.id}</Code>)
            </Text>
            <Text size="sm">Time zone: {store.data.timezone}</Text>
            <Text size="sm">Currency: {store.data.currency}</Text>
            <Text size="sm">Since {formatDate(store.data.createdAt)}</Text>
          </Stack>
        </Section>
        <Section title="Connections">
          {!isAdmin ? (
            <Text size="sm" c="dimmed">
              Only admins see the Shopify, e-mail and Slack connections.
            </Text>
          ) : channels.isPending ? (
            <LoadingState label="Loading…" />
          ) : channels.isError ? (
            <ErrorState title="Could not load the connections" error={channels.error} />
          ) : (
            <Stack gap={6}>
              <Group gap={6}>
                <Text size="sm">Shopify:</Text>
                {channels.data.shopify.connected ? (
                  <Badge color="green" variant="light">
                    connected to {channels.data.shopify.domain}
                  </Badge>
                ) : (
                  <Badge color="gray" variant="light">
                    not connected
                  </Badge>
                )}
              </Group>
              {['email', 'slack', 'widget'].map((k) => (
                <Group gap={6} key={k}>
                  <Text size="sm">{humanize(k)}:</Text>
                  {channels.data.channels[k] ? (
                    <Badge color="green" variant="light">
                      configured
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light">
                      not configured
                    </Badge>
                  )}
                </Group>
              ))}
            </Stack>
          )}
        </Section>
        <Section title="Business hours">
          {e.calendar ? (
            <Stack gap={2}>
              <Text size="sm" c="dimmed">
                {e.calendar.timezone}
              </Text>
              {days.map((d) => (
                <Text size="sm" key={d}>
                  {humanize(d)}: {(e.calendar?.weekly[d] ?? []).map((i) => `${i.start}–${i.end}`).join(', ') || 'closed'}
                </Text>
              ))}
              {e.calendar.holidays.length > 0 ? <Text size="sm">{e.calendar.holidays.length} holidays</Text> : null}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              Not set.
            </Text>
          )}
        </Section>
        <Section title="SLA targets (business time)">
          {e.sla ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>First reply</Table.Th>
                  <Table.Th>Resolution</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {priorities.map((p) => (
                  <Table.Tr key={p}>
                    <Table.Td>{humanize(p)}</Table.Td>
                    <Table.Td>{formatDuration((e.sla?.firstResponse[p] ?? 0) * 60_000)}</Table.Td>
                    <Table.Td>{formatDuration((e.sla?.resolution[p] ?? 0) * 60_000)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              Not set.
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <Section title="People">
        {users.isPending ? (
          <LoadingState label="Loading people…" />
        ) : users.isError ? (
          <ErrorState title="Could not load people" error={users.error} />
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>E-mail</Table.Th>
                  <Table.Th>Role</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.name ?? '—'}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u.role}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
      <Text size="xs" c="dimmed">
        Repeat failures count within {e.repeatFailureWindowDays ?? '—'} days · {Array.isArray(e.routingRules) ? e.routingRules.length : 0}{' '}
        routing rules · {e.templates ? Object.keys(e.templates).length : 0} custom templates. Change settings with{' '}
        <Code>PUT /api/v1/store/settings</Code>.
      </Text>
    </Stack>
  );
}
