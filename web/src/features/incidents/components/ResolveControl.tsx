import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { useResolveIncident } from '../hooks/use-incidents.ts';
import { ReasonField } from './ReasonField.tsx';

/**
 * Managers close an open incident the monitors never will (late, lost or stalled parcels, failed payments,
 * stock-outs); an outage resolves itself when its metric is back within bounds.
 */
export function ResolveControl({ id, monitor, status }: { id: string; monitor: string; status: string }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const resolve = useResolveIncident(id);
  if (status !== 'open') return null;
  if (monitor === 'metric_threshold')
    return (
      <Text size="xs" c="dimmed">
        Resolves by itself when the metric is back within bounds.
      </Text>
    );
  const close = () => {
    setAsking(false);
    setReason('');
  };
  return (
    <>
      <Button
        variant="default"
        size="xs"
        onClick={() => {
          resolve.reset();
          setAsking(true);
        }}
      >
        Resolve…
      </Button>
      <ConfirmDialog
        opened={asking}
        title="Resolve this incident?"
        confirmLabel="Resolve incident"
        color="green"
        pending={resolve.isPending}
        error={resolve.isError ? resolve.error : null}
        onClose={close}
        onConfirm={() =>
          resolve.mutate(reason.trim() ? { reason: reason.trim() } : {}, {
            onSuccess: () => {
              close();
              notifications.show({ color: 'green', title: 'Incident resolved', message: 'It is no longer among the open incidents.' });
            },
          })
        }
      >
        <Text size="sm">
          It leaves the open incidents. Its cases stay as they are; messages still waiting go out as planned. Webhooks hear that it was
          resolved.
        </Text>
        <ReasonField value={reason} onChange={setReason} />
      </ConfirmDialog>
    </>
  );
}
