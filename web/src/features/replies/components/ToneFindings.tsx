import { Alert, Badge, Button, Group, Loader, Mark, Paper, Stack, Text } from '@mantine/core';
import type { ToneCheck, ToneFinding } from '../../../api/types.ts';
import { humanize } from '../../../ui/format.ts';

interface Props {
  result: ToneCheck | undefined;
  fresh: boolean;
  checking: boolean;
  error: unknown;
  tooLong: boolean;
  empty: boolean;
  onApply: (f: ToneFinding) => void;
}

/** The live tone check under the composer: each finding with its rewrite, applied with one click. */
export function ToneFindings({ result, fresh, checking, error, tooLong, empty, onApply }: Props) {
  if (empty) {
    return (
      <Text size="sm" c="dimmed">
        The tone check reads your reply as you write.
      </Text>
    );
  }
  if (tooLong)
    return (
      <Text size="sm" c="dimmed">
        The reply is too long for the tone check (20,000 characters).
      </Text>
    );
  if (error && !result) {
    return (
      <Text size="sm" c="red.9" role="status">
        The tone check is not available right now; you can still send.
      </Text>
    );
  }
  if (!result) {
    return (
      <Group gap="xs" role="status">
        <Loader size="xs" aria-hidden />
        <Text size="sm" c="dimmed">
          Checking tone…
        </Text>
      </Group>
    );
  }
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  return (
    <Stack gap="xs" aria-busy={checking}>
      <Group gap="xs" role="status" aria-live="polite">
        {result.findings.length === 0 ? (
          <Badge color="green" variant="light">
            Tone check: looks good
          </Badge>
        ) : (
          <Badge color={errors ? 'red' : 'yellow'} variant="light">
            Tone check: {errors ? `${errors} to fix` : ''}
            {errors && warnings ? ', ' : ''}
            {warnings ? `${warnings} to consider` : ''}
          </Badge>
        )}
        {/* A span may not carry a name by itself: as a status it may, and it is announced. */}
        {checking ? <Loader size="xs" role="status" aria-label="Checking again" /> : null}
      </Group>
      {result.findings.map((f) => (
        <Paper
          key={`${f.rule}-${f.span?.join('-') ?? 'missing'}`}
          withBorder
          p="xs"
          radius="sm"
          bg={f.severity === 'error' ? 'red.0' : 'yellow.0'}
        >
          <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
            <Stack gap={4} miw={0}>
              <Group gap={6}>
                <Badge size="xs" color={f.severity === 'error' ? 'red' : 'yellow'} variant="filled">
                  {f.severity === 'error' ? 'Fix' : 'Consider'}
                </Badge>
                <Text size="xs" fw={600}>
                  {humanize(f.rule)}
                </Text>
              </Group>
              <Text size="sm">{f.message}</Text>
              {f.excerpt ? (
                <Text size="sm">
                  <Mark color="red.1">“{f.excerpt}”</Mark> → “{f.suggestion}”
                </Text>
              ) : (
                <Text size="sm">Add: “{f.suggestion}”</Text>
              )}
            </Stack>
            <Button
              size="compact-sm"
              variant="white"
              onClick={() => onApply(f)}
              disabled={!fresh}
              style={{ flexShrink: 0 }}
              aria-label={f.excerpt ? `Replace “${f.excerpt}” with “${f.suggestion}”` : `Add “${f.suggestion}”`}
            >
              {f.excerpt ? 'Apply' : 'Add'}
            </Button>
          </Group>
        </Paper>
      ))}
      {result.findings.length > 0 && !fresh ? (
        <Alert variant="transparent" p={0} color="gray">
          <Text size="xs" c="dimmed">
            Waiting for the check of your latest words before a fix can be applied.
          </Text>
        </Alert>
      ) : null}
    </Stack>
  );
}
