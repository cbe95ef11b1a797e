import { Alert, Button, CopyButton, Group, Stack, TextInput } from '@mantine/core';

/** A password or token the server will not show again: selectable, copyable, with a warning saying so. */
export function OneTimeSecret({ label, value, warning }: { label: string; value: string; warning: string }) {
  return (
    <Stack gap="xs">
      <Alert color="orange" variant="light" title="Shown only now">
        {warning}
      </Alert>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          label={label}
          value={value}
          readOnly
          onFocus={(e) => e.currentTarget.select()}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          style={{ flex: 1 }}
          data-testid="one-time-secret"
        />
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'light' : 'filled'} color={copied ? 'green' : undefined} onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
