import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';

/**
 * "Are you sure?" for an action with consequences: what will happen, any extra fields (a reason), the server's
 * refusal when there is one, and Cancel (focused first, so Enter does not confirm by accident) beside the action.
 */
export function ConfirmDialog({
  opened = true,
  title,
  children,
  confirmLabel,
  color,
  pending,
  error,
  errorTitle,
  onConfirm,
  onClose,
}: {
  opened?: boolean;
  title: string;
  /** What will happen; a string becomes a paragraph. */
  children: ReactNode;
  confirmLabel: string;
  /** red for what cannot be undone, green for a happy ending; the theme's colour otherwise. */
  color?: 'red' | 'green';
  pending: boolean;
  error: unknown;
  errorTitle?: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Stack gap="sm">
        {typeof children === 'string' ? <Text size="sm">{children}</Text> : children}
        {error ? (
          <Alert color="red" variant="light" role="alert" {...(errorTitle ? { title: errorTitle } : {})}>
            {errorMessage(error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button {...(color ? { color } : {})} loading={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
