import { Text, type TextProps } from '@mantine/core';
import { formatDuration } from './format.ts';

/**
 * Time left until an instant, coloured by urgency: red when past, orange within `warnMs`.
 * The exact instant is in the title for whoever hovers.
 */
export function Countdown({
  at,
  now,
  warnMs = 2 * 3_600_000,
  prefix = 'due',
  ...rest
}: { at: string; now: number; warnMs?: number; prefix?: string } & TextProps) {
  const ms = Date.parse(at) - now;
  const overdue = ms < 0;
  const color = overdue ? 'red.9' : ms < warnMs ? 'orange.9' : 'dimmed';
  return (
    <Text component="span" size="sm" c={color} fw={overdue ? 600 : 400} title={new Date(at).toLocaleString()} {...rest}>
      {overdue ? `overdue ${formatDuration(ms)}` : `${prefix} in ${formatDuration(ms)}`}
    </Text>
  );
}
