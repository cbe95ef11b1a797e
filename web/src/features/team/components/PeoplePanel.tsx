import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  PasswordInput,
  Radio,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client.ts';
import type { Role } from '../../../api/types.ts';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { formatDateTime, plural } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import { ErrorState, LoadingState } from '../../../ui/states.tsx';
import { useSession } from '../../auth/hooks/use-session.ts';
import { OneTimeSecret } from '../../settings/components/OneTimeSecret.tsx';
import { SettingsSection } from '../../settings/components/SettingsSection.tsx';
import { useCreateUser, useDeactivateUser, useReactivateUser, useSetPassword, useUpdateUser } from '../hooks/use-team.ts';
import { useUsers } from '../hooks/use-users.ts';
import type { TeamMember } from '../types.ts';

const roleOptions: { value: Role; label: string; description: string }[] = [
  { value: 'agent', label: 'Agent', description: 'works cases, grants remedies within their allowance' },
  { value: 'manager', label: 'Manager', description: 'also approves, edits settings and the policy' },
  { value: 'admin', label: 'Admin', description: 'also manages people, tokens, the store and activates policies' },
];
const PASSWORD_MIN = 12;

const nameOf = (u: TeamMember) => u.name ?? u.email;
/** The message of an API error for this field, or undefined. */
const errorAt = (err: unknown, path: string) =>
  err instanceof ApiError && err.path === path ? err.message.replace(new RegExp(`^${path}: `), '') : undefined;
const otherError = (err: unknown, paths: string[]) =>
  err && !(err instanceof ApiError && err.path !== undefined && paths.includes(err.path)) ? errorMessage(err) : null;

function AddPersonDialog({ onClose }: { onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [mode, setMode] = useState<PasswordMode>('generate');
  const [password, setPassword] = useState('');
  const create = useCreateUser();
  const made = create.data;
  const fields = ['email', 'name', 'role', 'password'];
  return (
    <Modal opened onClose={onClose} title={made ? `${nameOf(made.user)} can sign in` : 'Add a person'} size="lg">
      {made ? (
        <Stack gap="sm">
          <Text size="sm">
            {made.user.email} ({made.user.role}) signs in at this address with the store id and{' '}
            {made.password ? 'the one-time password below.' : 'the password you chose.'}
          </Text>
          {made.password ? (
            <OneTimeSecret
              label="One-time password"
              value={made.password}
              warning="Copy it now and hand it over safely (not in the same e-mail as the address). It cannot be shown again; an admin can reset it later."
            />
          ) : null}
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ email, ...(name.trim() ? { name: name.trim() } : {}), role, ...(mode === 'choose' ? { password } : {}) });
          }}
        >
          <Stack gap="sm">
            <TextInput
              label="E-mail"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              required
              autoComplete="off"
              error={errorAt(create.error, 'email')}
              data-autofocus
            />
            <TextInput
              label="Name"
              description="Shown on cases, notes and replies they sign"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={200}
              error={errorAt(create.error, 'name')}
            />
            <Radio.Group label="Role" value={role} onChange={(v) => setRole(v as Role)} error={errorAt(create.error, 'role')}>
              <Stack gap={6} mt={4}>
                {roleOptions.map((r) => (
                  <Radio key={r.value} value={r.value} label={r.label} description={r.description} />
                ))}
              </Stack>
            </Radio.Group>
            <PasswordChoice
              label="Password"
              mode={mode}
              onModeChange={setMode}
              value={password}
              onChange={setPassword}
              error={errorAt(create.error, 'password')}
            />
            {otherError(create.error, fields) ? (
              <Alert color="red" variant="light" role="alert">
                {otherError(create.error, fields)}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Add person
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function RoleDialog({ user, onClose }: { user: TeamMember; onClose: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [name, setName] = useState(user.name ?? '');
  const update = useUpdateUser();
  return (
    <Modal opened onClose={onClose} title={`Edit ${nameOf(user)}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate(
            {
              id: user.id,
              ...(role !== user.role ? { role } : {}),
              ...(name.trim() !== (user.name ?? '') ? { name: name.trim() || null } : {}),
            },
            {
              onSuccess: (r) => {
                notifications.show({
                  color: 'green',
                  title: 'Saved',
                  message: `${nameOf(r.user)} is now ${r.user.role === 'manager' ? 'a' : 'an'} ${r.user.role}.${r.tokensRevoked ? ` ${plural(r.tokensRevoked, 'token')} above the new role revoked.` : ''}`,
                });
                onClose();
              },
            },
          );
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={200}
            error={errorAt(update.error, 'name')}
          />
          <Select
            label="Role"
            data={roleOptions.map((r) => ({ value: r.value, label: `${r.label}: ${r.description}` }))}
            value={role}
            onChange={(v) => v && setRole(v as Role)}
            allowDeselect={false}
            error={errorAt(update.error, 'role')}
          />
          <Text size="xs" c="dimmed">
            A new role counts from their next click; they stay signed in.
          </Text>
          {otherError(update.error, ['name', 'role']) ? (
            <Alert color="red" variant="light" role="alert">
              {otherError(update.error, ['name', 'role'])}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending} disabled={role === user.role && name.trim() === (user.name ?? '')}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** An admin's reset of someone else's password, or anyone's change of their own (with the current one). */
type PasswordMode = 'generate' | 'choose';

/**
 * A new password: generated by the server (shown once) or chosen now. Without `onModeChange` there is no choice
 * (a person changing their own password types it).
 */
function PasswordChoice({
  label,
  mode,
  onModeChange,
  value,
  onChange,
  error,
}: {
  label: string;
  mode: PasswordMode;
  onModeChange: ((mode: PasswordMode) => void) | null;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  return (
    <>
      {onModeChange ? (
        <Radio.Group label={label} value={mode} onChange={(v) => onModeChange(v as PasswordMode)}>
          <Group gap="md" mt={4}>
            <Radio value="generate" label="Generate a one-time password" />
            <Radio value="choose" label="Set one now" />
          </Group>
        </Radio.Group>
      ) : null}
      {mode === 'choose' ? (
        <PasswordInput
          label={label}
          description={`At least ${PASSWORD_MIN} characters`}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          required
          autoComplete="new-password"
          error={error}
        />
      ) : null}
    </>
  );
}

function PasswordDialog({ user, self, onClose }: { user: TeamMember; self: boolean; onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [mode, setMode] = useState<PasswordMode>(self ? 'choose' : 'generate');
  const change = useSetPassword();
  const done = change.data;
  const fields = ['password', 'currentPassword'];
  return (
    <Modal opened onClose={onClose} title={self ? 'Change your password' : `Reset the password of ${nameOf(user)}`}>
      {done ? (
        <Stack gap="sm">
          <Text size="sm">
            {self
              ? `Your password is changed. ${done.sessionsEnded ? `${plural(done.sessionsEnded, 'other session')} signed out.` : ''}`
              : `${nameOf(user)} was signed out everywhere (${plural(done.sessionsEnded, 'session')}).`}
          </Text>
          {done.password ? (
            <OneTimeSecret
              label="New one-time password"
              value={done.password}
              warning="Copy it now and hand it over safely. It cannot be shown again."
            />
          ) : null}
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            change.mutate({
              id: user.id,
              ...(self ? { currentPassword: current } : {}),
              ...(mode === 'choose' ? { password: next } : {}),
            });
          }}
        >
          <Stack gap="sm">
            {self ? (
              <PasswordInput
                label="Current password"
                value={current}
                onChange={(e) => setCurrent(e.currentTarget.value)}
                required
                autoComplete="current-password"
                error={errorAt(change.error, 'currentPassword')}
                data-autofocus
              />
            ) : null}
            <PasswordChoice
              label="New password"
              mode={mode}
              onModeChange={self ? null : setMode}
              value={next}
              onChange={setNext}
              error={errorAt(change.error, 'password')}
            />
            <Text size="xs" c="dimmed">
              {self ? 'Your other sessions are signed out; this one stays.' : 'They are signed out everywhere.'}
            </Text>
            {otherError(change.error, fields) ? (
              <Alert color="red" variant="light" role="alert">
                {otherError(change.error, fields)}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={change.isPending}>
                {self ? 'Change password' : 'Reset password'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function DeactivateDialog({ user, onClose }: { user: TeamMember; onClose: () => void }) {
  const deactivate = useDeactivateUser();
  return (
    <ConfirmDialog
      title={`Deactivate ${nameOf(user)}?`}
      confirmLabel="Deactivate"
      color="red"
      pending={deactivate.isPending}
      error={deactivate.error}
      errorTitle="Not deactivated"
      onClose={onClose}
      onConfirm={() =>
        deactivate.mutate(user.id, {
          onSuccess: (r) => {
            notifications.show({
              color: 'green',
              title: `${nameOf(user)} deactivated`,
              message: `${plural(r.sessionsEnded, 'session')} ended, ${plural(r.tokensRevoked, 'token')} revoked, ${plural(r.casesUnassigned, 'open case')} back in the queue.`,
            });
            onClose();
          },
        })
      }
    >
      {`${user.email} will be signed out at once and can no longer sign in. Their API tokens stop working, their open cases go back to the queue unassigned, and customers they manage lose their relationship manager. Their name stays on past cases and notes. You can reactivate them later.`}
    </ConfirmDialog>
  );
}

type Dialog =
  | { kind: 'add' }
  | { kind: 'edit'; user: TeamMember }
  | { kind: 'password'; user: TeamMember; self: boolean }
  | { kind: 'deactivate'; user: TeamMember };

/** The store's people: everyone sees who is on the team; admins add, change, reset and deactivate. */
export function PeoplePanel({ canManage }: { canManage: boolean }) {
  const session = useSession();
  const users = useUsers();
  const reactivate = useReactivateUser();
  const [showDisabled, setShowDisabled] = useState(false);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const me = users.data?.find((u) => u.id === session.user.id);
  const rows = (users.data ?? []).filter((u) => showDisabled || u.disabledAt === null);
  const disabledCount = (users.data ?? []).filter((u) => u.disabledAt !== null).length;

  return (
    <SettingsSection
      title="People"
      description="Who works in this console and what each may do."
      readOnlyReason={canManage ? null : 'Only an admin can add people or change their roles.'}
    >
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm">
          {canManage ? <Button onClick={() => setDialog({ kind: 'add' })}>Add person</Button> : null}
          {me ? (
            <Button variant="default" onClick={() => setDialog({ kind: 'password', user: me, self: true })}>
              Change my password
            </Button>
          ) : null}
        </Group>
        {disabledCount > 0 ? (
          <Switch
            label={`Show deactivated (${disabledCount})`}
            checked={showDisabled}
            onChange={(e) => setShowDisabled(e.currentTarget.checked)}
          />
        ) : null}
      </Group>
      {users.isPending ? (
        <LoadingState label="Loading people…" />
      ) : users.isError ? (
        <ErrorState title="Could not load people" error={users.error} onRetry={() => users.refetch()} />
      ) : (
        <ScrollTable minWidth={340} label="People">
          <Table aria-label="People" verticalSpacing="xs" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Role</Table.Th>
                {canManage ? (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((u) => {
                const self = u.id === session.user.id;
                return (
                  <Table.Tr key={u.id} aria-label={nameOf(u)}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" fw={500}>
                          {u.name ?? '—'}
                        </Text>
                        {self ? (
                          <Badge size="xs" variant="light">
                            you
                          </Badge>
                        ) : null}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {u.email}
                      </Text>
                      {u.disabledAt ? (
                        <Badge color="gray" variant="light" mt={4}>
                          Deactivated {formatDateTime(u.disabledAt)}
                        </Badge>
                      ) : !u.canSignIn ? (
                        <Badge color="yellow" variant="light" mt={4}>
                          No password yet
                        </Badge>
                      ) : (
                        <Text size="xs" c="dimmed">
                          {u.lastLoginAt ? `Last signed in ${formatDateTime(u.lastLoginAt)}` : 'Never signed in'}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{u.role}</Text>
                    </Table.Td>
                    {canManage ? (
                      <Table.Td ta="right">
                        {u.disabledAt ? (
                          <Button
                            size="compact-sm"
                            variant="default"
                            loading={reactivate.isPending && reactivate.variables === u.id}
                            onClick={() =>
                              reactivate.mutate(u.id, {
                                onSuccess: () =>
                                  notifications.show({ color: 'green', title: 'Reactivated', message: `${nameOf(u)} can sign in again.` }),
                                onError: (err) =>
                                  notifications.show({ color: 'red', title: 'Not reactivated', message: errorMessage(err) }),
                              })
                            }
                          >
                            Reactivate
                          </Button>
                        ) : (
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${nameOf(u)}`}>
                                ⋯
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item onClick={() => setDialog({ kind: 'edit', user: u })}>Change name or role…</Menu.Item>
                              <Menu.Item onClick={() => setDialog({ kind: 'password', user: u, self })}>
                                {self ? 'Change my password…' : 'Reset password…'}
                              </Menu.Item>
                              <Menu.Divider />
                              <Menu.Item color="red" disabled={self} onClick={() => setDialog({ kind: 'deactivate', user: u })}>
                                {self ? 'Deactivate (not yourself)' : 'Deactivate…'}
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        )}
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {dialog?.kind === 'add' ? <AddPersonDialog onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <RoleDialog user={dialog.user} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'password' ? <PasswordDialog user={dialog.user} self={dialog.self} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'deactivate' ? <DeactivateDialog user={dialog.user} onClose={() => setDialog(null)} /> : null}
    </SettingsSection>
  );
}
