import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { useResolveIncident } from '../hooks/use-incidents.ts';

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
      <Modal opened={asking} onClose={close} title="Resolve this incident?">
        <Stack gap="sm">
          <Text size="sm">
            It leaves the open incidents. Its cases stay as they are; messages still waiting go out as planned. Webhooks hear that it was
            resolved.
          </Text>
          <Textarea
            label="Reason (optional, kept in the audit log)"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
          />
          {resolve.isError ? (
            <Text size="sm" c="red.9" role="alert">
              {errorMessage(resolve.error)}
            </Text>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="green"
              loading={resolve.isPending}
              onClick={() =>
                resolve.mutate(reason.trim() ? { reason: reason.trim() } : {}, {
                  onSuccess: () => {
                    close();
                    notifications.show({
                      color: 'green',
                      title: 'Incident resolved',
                      message: 'It is no longer among the open incidents.',
                    });
                  },
                })
              }
            >
              Resolve incident
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
