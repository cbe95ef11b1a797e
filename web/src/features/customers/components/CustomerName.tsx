import { Skeleton, Text } from '@mantine/core';
import { useCustomer } from '../hooks/use-customer.ts';

/** A customer's name (or e-mail): the one a list already gave, else fetched when the row that shows it is on screen. */
export function CustomerName({ id, name, fw = 600 }: { id: string | null; name?: string | null | undefined; fw?: number }) {
  const customer = useCustomer(name === undefined ? id : null);
  if (id && name !== undefined) {
    return (
      <Text component="span" size="sm" fw={fw} truncate title={name ?? id}>
        {name ?? id}
      </Text>
    );
  }
  if (!id) {
    return (
      <Text component="span" size="sm" c="dimmed">
        Unknown customer
      </Text>
    );
  }
  if (customer.isPending) return <Skeleton component="span" height={12} width={110} display="inline-block" aria-label="Loading customer" />;
  const c = customer.data;
  return (
    <Text component="span" size="sm" fw={fw} truncate title={c?.email ?? id}>
      {c?.name ?? c?.email ?? id}
    </Text>
  );
}
