import { Progress, Stack, Text } from '@mantine/core';
import type { Allowance } from '../../../api/types.ts';
import { formatMoney } from '../../../ui/format.ts';

/** What the signed-in person may still grant this period without asking. */
export function AllowanceLine({ allowance }: { allowance: Allowance }) {
  if (allowance.limit === null) {
    return (
      <Text size="sm">
        Your allowance: <b>no limit</b> ({formatMoney(allowance.spent, allowance.currency)} granted in {allowance.period})
      </Text>
    );
  }
  const used = allowance.limit > 0 ? Math.min(100, (allowance.spent / allowance.limit) * 100) : 100;
  return (
    <Stack gap={4}>
      <Text size="sm">
        Your allowance: <b>{formatMoney(allowance.remaining ?? 0, allowance.currency)}</b> left of{' '}
        {formatMoney(allowance.limit, allowance.currency)} for {allowance.period}
      </Text>
      <Progress
        value={used}
        size="sm"
        color={used > 90 ? 'red' : used > 70 ? 'orange' : 'blue'}
        aria-label={`${Math.round(used)} % of your allowance used`}
      />
    </Stack>
  );
}
