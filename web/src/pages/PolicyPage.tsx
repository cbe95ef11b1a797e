import { Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { ActivePolicy, PolicyVersion } from '../api/types.ts';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { formatDateTime } from '../ui/format.ts';
import { ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

/** The active compensation policy, read-only in this version of the console (edit and simulate come next). */
export function PolicyPage() {
  usePageTitle('Policy');
  const session = useSession();
  const isManager = roleAtLeast(session.user.role, 'manager');
  const active = useQuery({ queryKey: ['policy'], queryFn: ({ signal }) => api.get<ActivePolicy>('/api/v1/policy', { signal }) });
  const versions = useQuery({
    queryKey: ['policy', 'versions'],
    queryFn: ({ signal }) => api.get<{ versions: PolicyVersion[] }>('/api/v1/policy/versions', { signal }).then((r) => r.versions),
    enabled: isManager,
  });
  if (active.isPending) return <LoadingState label="Loading the policy…" />;
  if (active.isError) return <ErrorState title="Could not load the policy" error={active.error} onRetry={() => active.refetch()} />;
  const p = active.data;
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={1} size="h2">
          Policy
        </Title>
        <Group gap={6}>
          <Text fw={600}>{p.name}</Text>
          {p.isDefault ? (
            <Badge variant="light">default policy</Badge>
          ) : (
            <Badge variant="light" color="green">
              active
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {p.isDefault
            ? 'The store has not activated a policy of its own; this is policies/default.yaml.'
            : `Activated ${formatDateTime(p.activatedAt)} by ${p.author ?? 'unknown'}.`}{' '}
          Version <Code>{p.hash.slice(0, 12)}</Code>. Change it with <Code>amends policy activate FILE --store {session.store.id}</Code>.
        </Text>
      </Stack>
      {isManager ? (
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="xs">
            Versions
          </Title>
          {versions.isPending ? (
            <LoadingState label="Loading versions…" />
          ) : versions.isError ? (
            <ErrorState title="Could not load versions" error={versions.error} />
          ) : versions.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              No policy has been activated yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Author</Table.Th>
                    <Table.Th>Last activated</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {versions.data.map((v) => (
                    <Table.Tr key={v.hash}>
                      <Table.Td>{v.name}</Table.Td>
                      <Table.Td>
                        <Code>{v.hash.slice(0, 12)}</Code>
                      </Table.Td>
                      <Table.Td>{v.author}</Table.Td>
                      <Table.Td>{formatDateTime(v.activations.at(-1)?.at ?? v.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
      ) : null}
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="xs">
          Policy file
        </Title>
        <Code block style={{ maxHeight: '60vh', overflow: 'auto' }} tabIndex={0} aria-label="Policy file (YAML)">
          {p.source}
        </Code>
      </Paper>
    </Stack>
  );
}
