import { Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useId, useRef, useState } from 'react';
import type { ActivePolicy } from '../api/types.ts';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { ActivateDialog } from '../features/policy/components/ActivateDialog.tsx';
import { PolicyEditor, type PolicyEditorHandle } from '../features/policy/components/PolicyEditor.tsx';
import { PolicyErrors } from '../features/policy/components/PolicyErrors.tsx';
import { SimulationTable } from '../features/policy/components/SimulationTable.tsx';
import {
  useActivatePolicy,
  useActivePolicy,
  usePolicyCheck,
  usePolicyVersions,
  useSimulation,
} from '../features/policy/hooks/use-policy.ts';
import { formatDateTime } from '../ui/format.ts';
import { ScrollTable } from '../ui/ScrollTable.tsx';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

/** The active compensation policy: read it, edit it with errors in place, simulate it against history, activate it. */
export function PolicyPage() {
  usePageTitle('Policy');
  const active = useActivePolicy();
  if (active.isPending) return <LoadingState label="Loading the policy…" />;
  if (active.isError) return <ErrorState title="Could not load the policy" error={active.error} onRetry={() => active.refetch()} />;
  return <PolicyWorkspace active={active.data} />;
}

function PolicyWorkspace({ active }: { active: ActivePolicy }) {
  const session = useSession();
  const isManager = roleAtLeast(session.user.role, 'manager');
  const isAdmin = roleAtLeast(session.user.role, 'admin');
  const [draft, setDraft] = useState(active.source);
  const [dialog, setDialog] = useState(false);
  const editor = useRef<PolicyEditorHandle>(null);
  const errorsId = useId();
  const simReasonId = useId();
  const activateReasonId = useId();

  // A newly activated version replaces the draft it came from.
  const shownHash = useRef(active.hash);
  useEffect(() => {
    if (shownHash.current !== active.hash) {
      shownHash.current = active.hash;
      setDraft(active.source);
    }
  }, [active.hash, active.source]);

  const check = usePolicyCheck(draft);
  const simulation = useSimulation();
  const activate = useActivatePolicy();
  const versions = usePolicyVersions(isManager);

  const dirty = draft !== active.source;
  const empty = draft.trim().length === 0;
  const valid = check.fresh && check.result?.ok === true;
  const errors = check.result?.errors ?? [];
  const sim = simulation.data;

  const simReason = !isManager
    ? 'Simulating needs a manager or an admin.'
    : empty || (check.fresh && !check.result?.ok)
      ? 'Fix the errors first.'
      : null;
  const activateReason = !isAdmin
    ? 'Only an admin can activate a policy: it sets every role’s authority.'
    : !dirty
      ? 'This is already the active policy; edit it to activate a new version.'
      : !valid
        ? check.checking
          ? 'Waiting for the check…'
          : 'Fix the errors first.'
        : null;

  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={1} size="h2">
          Policy
        </Title>
        <Group gap={6}>
          <Text fw={600}>{active.name}</Text>
          {active.isDefault ? (
            <Badge variant="light">default policy</Badge>
          ) : (
            <Badge variant="light" color="green">
              active
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed" data-testid="active-version">
          Version <Code>{active.hash.slice(0, 12)}</Code>.{' '}
          {active.isDefault
            ? 'The store has not activated a policy of its own; this is policies/default.yaml.'
            : `Activated ${formatDateTime(active.activatedAt)} by ${active.author ?? 'unknown'}.`}
        </Text>
      </Stack>

      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <Group justify="space-between" align="center">
            <Title order={2} size="h4">
              {dirty ? 'Edited policy' : 'Active policy file'}
            </Title>
            {dirty ? <Badge color="yellow">unsaved changes</Badge> : null}
          </Group>
          <PolicyEditor ref={editor} value={draft} onChange={setDraft} errors={check.fresh ? errors : []} />
          <PolicyErrors
            id={errorsId}
            result={check.result}
            fresh={check.fresh}
            checking={check.checking}
            error={check.error}
            empty={empty}
            onGoTo={(line, column) => editor.current?.goTo(line, column)}
          />
          <Group gap="sm">
            <Button variant="default" onClick={check.checkNow} disabled={empty}>
              Check
            </Button>
            <Button
              onClick={() => simulation.mutate(draft)}
              loading={simulation.isPending}
              disabled={simReason !== null}
              aria-describedby={simReason ? simReasonId : undefined}
            >
              Simulate
            </Button>
            <Button
              color="red"
              variant="light"
              onClick={() => {
                activate.reset();
                setDialog(true);
              }}
              disabled={activateReason !== null}
              aria-describedby={activateReason ? activateReasonId : undefined}
            >
              Activate…
            </Button>
            <Button variant="subtle" onClick={() => setDraft(active.source)} disabled={!dirty}>
              Discard changes
            </Button>
          </Group>
          {simReason ? (
            <Text id={simReasonId} size="xs" c="dimmed">
              Simulate: {simReason}
            </Text>
          ) : null}
          {activateReason ? (
            <Text id={activateReasonId} size="xs" c="dimmed">
              Activate: {activateReason}
            </Text>
          ) : null}
        </Stack>
      </Paper>

      {isManager ? (
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="xs">
            Simulation
          </Title>
          {simulation.isPending ? (
            <LoadingState label="Replaying the store’s history under both policies…" />
          ) : simulation.isError ? (
            <ErrorState title="Could not simulate" error={simulation.error} onRetry={() => simulation.mutate(draft)} />
          ) : sim ? (
            <Stack gap="xs">
              {sim.for !== draft ? (
                <Text size="sm" c="orange.9" role="status">
                  The file changed since this simulation: run it again to see the latest figures.
                </Text>
              ) : null}
              {sim.cases === 0 ? (
                <Empty title="No cases to replay">The store has no cases yet: the two policies cannot differ on an empty history.</Empty>
              ) : (
                <SimulationTable sim={sim} />
              )}
            </Stack>
          ) : (
            <Empty title="No simulation yet">
              Edit the policy, then Simulate: every case of the store is decided again, as it opened, under the active policy and under
              yours, side by side.
            </Empty>
          )}
        </Paper>
      ) : null}

      {isManager ? (
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="xs">
            Versions
          </Title>
          {versions.isPending ? (
            <LoadingState label="Loading versions…" />
          ) : versions.isError ? (
            <ErrorState title="Could not load versions" error={versions.error} onRetry={() => versions.refetch()} />
          ) : versions.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              No policy has been activated yet.
            </Text>
          ) : (
            <ScrollTable minWidth={520} label="Policy versions">
              <Table aria-label="Policy versions">
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
                      <Table.Td>{formatDateTime(v.activations[0]?.at ?? v.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          )}
        </Paper>
      ) : null}

      <ActivateDialog
        opened={dialog}
        onClose={() => setDialog(false)}
        pending={activate.isPending}
        error={activate.error}
        name={draft.match(/^name:\s*(.+)$/m)?.[1]?.trim() ?? 'The edited policy'}
        hash={check.result?.hash ?? null}
        author={session.user.email}
        onConfirm={() =>
          activate.mutate(draft, {
            onSuccess: (p) => {
              setDialog(false);
              notifications.show({
                color: 'green',
                title: 'Policy activated',
                message: `${p.name} (${p.hash.slice(0, 12)}) is now active.`,
              });
            },
          })
        }
      />
    </Stack>
  );
}
