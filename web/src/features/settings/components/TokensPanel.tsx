import { Alert, Badge, Button, Code, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client.ts';
import type { Role } from '../../../api/types.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { formatDateTime } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import { Empty, ErrorState, LoadingState } from '../../../ui/states.tsx';
import { useAssignableUsers } from '../../team/hooks/use-users.ts';
import { useCreateToken, useRevokeToken, useTokens } from '../hooks/use-settings.ts';
import type { ApiToken } from '../types.ts';
import { OneTimeSecret } from './OneTimeSecret.tsx';
import { SettingsSection } from './SettingsSection.tsx';

const roleRank: Record<Role, number> = { agent: 0, manager: 1, admin: 2 };
const errorAt = (err: unknown, path: string) => (err instanceof ApiError && err.path === path ? err.message : undefined);
const personName = (p: { name: string | null; email: string } | null) => (p ? (p.name ?? p.email) : null);

function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [userId, setUserId] = useState<string | null>(null);
  const users = useAssignableUsers();
  const create = useCreateToken();
  const made = create.data;
  const other =
    create.error && !(create.error instanceof ApiError && ['name', 'role', 'userId'].includes(create.error.path ?? ''))
      ? errorMessage(create.error)
      : null;
  return (
    <Modal opened onClose={onClose} title={made ? `Token “${made.name}” created` : 'Create an API token'} size="lg">
      {made ? (
        <Stack gap="sm">
          <OneTimeSecret
            label="API token"
            value={made.token}
            warning="Copy it into the system that will use it now: Amends keeps only a hash and cannot show it again. Anyone holding it acts with its role; revoke it here if it leaks."
          />
          <Text size="sm">
            Send it as <Code>Authorization: Bearer …</Code> to <Code>/api/v1/…</Code>.
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name: name.trim(), role, ...(userId ? { userId } : {}) });
          }}
        >
          <Stack gap="sm">
            <TextInput
              label="Name"
              description="What uses it, e.g. “Warehouse sync”"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              maxLength={100}
              error={errorAt(create.error, 'name')}
              data-autofocus
            />
            <Select
              label="Role"
              data={[
                { value: 'agent', label: 'Agent: send events, read and work cases' },
                { value: 'manager', label: 'Manager: also approve, change settings and the policy' },
                { value: 'admin', label: 'Admin: everything, including people and tokens' },
              ]}
              value={role}
              onChange={(v) => v && setRole(v as Role)}
              allowDeselect={false}
              error={errorAt(create.error, 'role')}
            />
            <Select
              label="Acts as (optional)"
              description="Its actions are recorded as this person's; it stops when they are deactivated. Leave empty for a store integration."
              placeholder="Nobody: a store integration"
              data={(users.data ?? [])
                .filter((u) => roleRank[u.role] >= roleRank[role])
                .map((u) => ({ value: u.id, label: `${u.name ?? u.email} (${u.role})` }))}
              value={userId}
              onChange={setUserId}
              clearable
              searchable
              error={errorAt(create.error, 'userId')}
            />
            {other ? (
              <Alert color="red" variant="light" role="alert">
                {other}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function RevokeDialog({ token, onClose }: { token: ApiToken; onClose: () => void }) {
  const revoke = useRevokeToken();
  return (
    <ConfirmDialog
      title={`Revoke “${token.name ?? token.prefix}”?`}
      confirmLabel="Revoke token"
      color="red"
      pending={revoke.isPending}
      error={revoke.error}
      onClose={onClose}
      onConfirm={() =>
        revoke.mutate(token.id, {
          onSuccess: () => {
            notifications.show({ color: 'green', title: 'Token revoked', message: `${token.name ?? token.prefix} no longer works.` });
            onClose();
          },
        })
      }
    >
      <Text size="sm">
        Requests with this token (<Code>{token.prefix}…</Code>) are refused from now on. Whatever uses it stops working until it gets a new
        one. This cannot be undone.
      </Text>
    </ConfirmDialog>
  );
}

/** API tokens (admins): what is connected, with which role, when it was last used; create one, revoke one. */
export function TokensPanel() {
  const tokens = useTokens(true);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const list = (tokens.data ?? []).filter((t) => showRevoked || t.revokedAt === null);
  const revokedCount = (tokens.data ?? []).filter((t) => t.revokedAt !== null).length;
  return (
    <SettingsSection
      title="API tokens"
      description="For your own systems, scripts and the shop: each token carries one role in this store. Only a hash is stored."
    >
      <Group justify="space-between" wrap="wrap">
        <Button onClick={() => setCreating(true)}>Create token</Button>
        {revokedCount > 0 ? (
          <Button variant="subtle" size="compact-sm" onClick={() => setShowRevoked((v) => !v)} aria-pressed={showRevoked}>
            {showRevoked ? 'Hide' : 'Show'} revoked ({revokedCount})
          </Button>
        ) : null}
      </Group>
      {tokens.isPending ? (
        <LoadingState label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState title="Could not load the tokens" error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : list.length === 0 ? (
        <Empty title="No API tokens">Create one for each system that sends events or reads cases.</Empty>
      ) : (
        <ScrollTable minWidth={720} label="API tokens">
          <Table aria-label="API tokens" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Acts as</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((t) => (
                <Table.Tr key={t.id} aria-label={t.name ?? t.prefix}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t.name ?? 'Unnamed'}
                    </Text>
                    <Code fz="xs">{t.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>{t.role}</Table.Td>
                  <Table.Td>
                    {personName(t.user) ?? (
                      <Text size="sm" c="dimmed">
                        store integration
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(t.createdAt)}</Text>
                    <Text size="xs" c="dimmed">
                      {t.createdBy ? `by ${personName(t.createdBy)}` : 'from the command line'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {t.lastUsedAt ? (
                      formatDateTime(t.lastUsedAt)
                    ) : (
                      <Text size="sm" c="dimmed">
                        never
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {t.revokedAt ? (
                      <Badge color="gray" variant="light">
                        Revoked {formatDateTime(t.revokedAt)}
                      </Badge>
                    ) : (
                      <Button
                        size="compact-sm"
                        variant="light"
                        color="red"
                        onClick={() => setRevoking(t)}
                        aria-label={`Revoke ${t.name ?? t.prefix}`}
                      >
                        Revoke…
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {creating ? <CreateTokenDialog onClose={() => setCreating(false)} /> : null}
      {revoking ? <RevokeDialog token={revoking} onClose={() => setRevoking(null)} /> : null}
    </SettingsSection>
  );
}
