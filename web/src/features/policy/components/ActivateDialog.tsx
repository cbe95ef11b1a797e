import { Alert, Button, Checkbox, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';

interface Props {
  opened: boolean;
  onClose: () => void;
  onConfirm: () => void;
  pending: boolean;
  error: unknown;
  name: string;
  hash: string | null;
  author: string;
}

/** Activation asks once more: the policy sets everyone's authority from the next decision on. */
export function ActivateDialog({ opened, onClose, onConfirm, pending, error, name, hash, author }: Props) {
  const [sure, setSure] = useState(false);
  const close = () => {
    setSure(false);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Activate this policy">
      <Stack gap="sm">
        <Text size="sm">
          <b>{name}</b>
          {hash ? (
            <>
              {' '}
              (version <Code>{hash.slice(0, 12)}</Code>)
            </>
          ) : null}{' '}
          becomes the store's policy: offers, automatic issuing and every role's authority follow it from the next decision on. Cases
          already decided keep their version.
        </Text>
        <Text size="sm">
          Recorded as activated by <b>{author}</b>.
        </Text>
        <Checkbox
          label="I have checked the simulation and want to activate this policy"
          checked={sure}
          onChange={(e) => setSure(e.currentTarget.checked)}
        />
        {error ? (
          <Alert color="red" variant="light" role="alert" title="Not activated">
            {error instanceof Error ? error.message : 'Something went wrong.'}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button color="red" disabled={!sure} loading={pending} onClick={onConfirm}>
            Activate policy
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
