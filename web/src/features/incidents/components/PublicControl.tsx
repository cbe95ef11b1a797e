import { Button, Group, Modal, Stack, Switch, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { useSetIncidentPublic } from '../hooks/use-incidents.ts';
import { PublicBadge } from './IncidentBadges.tsx';

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
      <Modal
        opened={asking}
        onClose={close}
        title={next ? 'Show this incident on the status page?' : 'Take this incident off the status page?'}
      >
        <Stack gap="sm">
          <Text size="sm">
            {next
              ? 'Everyone who visits the status page will see its title, when it started and whether it is resolved.'
              : 'The status page will stop showing it. Customers who saw it there will not be told.'}
          </Text>
          <Textarea
            label="Reason (optional, kept in the audit log)"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
          />
          {change.isError ? (
            <Text size="sm" c="red.9" role="alert">
              {errorMessage(change.error)}
            </Text>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button onClick={confirm} loading={change.isPending}>
              {next ? 'Make public' : 'Make private'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
