import { Group, Switch, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { useSetIncidentPublic } from '../hooks/use-incidents.ts';
import { PublicBadge } from './IncidentBadges.tsx';
import { ReasonField } from './ReasonField.tsx';

/**
 * The status-page flag. Managers flip it with a Switch and confirm in a dialog (with an optional reason for the
 * audit log); agents see it read-only.
 */
export function PublicControl({ id, isPublic, canChange }: { id: string; isPublic: boolean; canChange: boolean }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const change = useSetIncidentPublic(id);
  if (!canChange) {
    return (
      <Group gap={6}>
        <PublicBadge isPublic={isPublic} />
        <Text size="xs" c="dimmed">
          {isPublic ? 'Shown on the status page.' : 'Not on the status page.'} A manager can change this.
        </Text>
      </Group>
    );
  }
  const next = !isPublic;
  const close = () => {
    setAsking(false);
    setReason('');
  };
  const confirm = () => {
    change.mutate(
      { public: next, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: (r) => {
          close();
          notifications.show({
            color: 'green',
            title: r.public ? 'On the status page' : 'Off the status page',
            message: r.public
              ? 'Customers can now see this incident on the status page.'
              : 'The status page no longer shows this incident.',
          });
        },
      },
    );
  };
  return (
    <>
      <Switch
        checked={isPublic}
        onChange={() => {
          change.reset();
          setAsking(true);
        }}
        label="Show on the status page"
        description={isPublic ? 'Customers can see it' : 'Only your team sees it'}
      />
      <ConfirmDialog
        opened={asking}
        title={next ? 'Show this incident on the status page?' : 'Take this incident off the status page?'}
        confirmLabel={next ? 'Make public' : 'Make private'}
        pending={change.isPending}
        error={change.isError ? change.error : null}
        onClose={close}
        onConfirm={confirm}
      >
        <Text size="sm">
          {next
            ? 'Everyone who visits the status page will see its title, when it started and whether it is resolved.'
            : 'The status page will stop showing it. Customers who saw it there will not be told.'}
        </Text>
        <ReasonField value={reason} onChange={setReason} />
      </ConfirmDialog>
    </>
  );
}
