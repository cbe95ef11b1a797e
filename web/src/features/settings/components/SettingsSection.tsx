import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { type ReactNode, useId } from 'react';

/** One part of the settings: a titled card with what it does, its fields, and its own Save. */
export function SettingsSection({
  title,
  description,
  readOnlyReason,
  children,
}: {
  title: string;
  description?: ReactNode;
  /** Why this person may only read it; null when they may edit. */
  readOnlyReason?: string | null;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h4" id={id}>
            {title}
          </Title>
          {description ? (
            <Text size="sm" c="dimmed">
              {description}
            </Text>
          ) : null}
        </Stack>
        {readOnlyReason ? (
          <Text size="sm" c="dimmed" fs="italic">
            {readOnlyReason}
          </Text>
        ) : null}
        {children}
      </Stack>
    </Paper>
  );
}

/** Save and discard for a section, with the error no field shows. Hidden for people who may only read. */
export function SaveBar({
  canEdit,
  dirty,
  saving,
  error,
  onDiscard,
  label = 'Save',
}: {
  canEdit: boolean;
  dirty: boolean;
  saving: boolean;
  error: string | null;
  onDiscard: () => void;
  label?: string;
}) {
  if (!canEdit) return null;
  return (
    <Stack gap="xs">
      {error ? (
        <Alert color="red" variant="light" role="alert" title="Not saved">
          {error}
        </Alert>
      ) : null}
      <Group gap="sm" justify="flex-end">
        {dirty ? (
          <Text size="sm" c="dimmed">
            Unsaved changes
          </Text>
        ) : null}
        <Button variant="default" onClick={onDiscard} disabled={!dirty || saving}>
          Discard
        </Button>
        <Button type="submit" loading={saving} disabled={!dirty}>
          {label}
        </Button>
      </Group>
    </Stack>
  );
}
