import { Alert, Badge, Group, Loader, Stack, Text, UnstyledButton } from '@mantine/core';
import type { PolicyCheck } from '../types.ts';

interface Props {
  id: string;
  result: PolicyCheck | undefined;
  fresh: boolean;
  checking: boolean;
  error: unknown;
  empty: boolean;
  onGoTo: (line: number, column: number) => void;
}

/** The check's verdict under the editor: every error with its line and column, each one a way to the line. */
export function PolicyErrors({ id, result, fresh, checking, error, empty, onGoTo }: Props) {
  if (empty) {
    return (
      <Text id={id} size="sm" c="red.9" role="status">
        The file is empty: a policy needs at least version, name, currency, tiers, offers and matrix.
      </Text>
    );
  }
  if (error && !result) {
    return (
      <Text id={id} size="sm" c="red.9" role="status">
        The check is not available right now: {error instanceof Error ? error.message : 'something went wrong'}.
      </Text>
    );
  }
  if (!result) {
    return (
      <Group id={id} gap="xs" role="status">
        <Loader size="xs" aria-hidden />
        <Text size="sm" c="dimmed">
          Checking the policy…
        </Text>
      </Group>
    );
  }
  return (
    <Stack gap="xs" id={id} aria-busy={checking}>
      <Group gap="xs" role="status" aria-live="polite">
        {result.ok ? (
          <Badge color="green" variant="light">
            No errors{fresh ? '' : ' (checking the latest change…)'}
          </Badge>
        ) : (
          <Badge color="red" variant="light">
            {result.errors.length === 1 ? '1 error' : `${result.errors.length} errors`}
          </Badge>
        )}
        {checking ? <Loader size="xs" role="status" aria-label="Checking again" /> : null}
      </Group>
      {result.errors.length > 0 ? (
        <Alert color="red" variant="light" p="xs" title="Fix these before simulating or activating">
          <Stack component="ul" gap={4} m={0} p={0} style={{ listStyle: 'none' }} aria-label="Policy errors">
            {result.errors.map((e) => (
              <li key={`${e.line}:${e.column}:${e.message}`}>
                <UnstyledButton
                  onClick={() => onGoTo(e.line, e.column)}
                  aria-label={`Line ${e.line}, column ${e.column}: ${e.message}. Go to the line.`}
                  style={{ textAlign: 'left' }}
                >
                  <Text size="sm" span ff="monospace" fw={700} c="red.9">
                    {e.line}:{e.column}
                  </Text>{' '}
                  <Text size="sm" span>
                    {e.path ? <Text span ff="monospace" size="sm">{`${e.path}: `}</Text> : null}
                    {e.message}
                  </Text>
                </UnstyledButton>
              </li>
            ))}
          </Stack>
        </Alert>
      ) : null}
    </Stack>
  );
}
