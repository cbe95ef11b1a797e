import { Anchor, Badge, Group, List, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Order, Tier } from '../../../api/types.ts';
import { formatDate, formatMoney, humanize, plural } from '../../../ui/format.ts';
import { ErrorState } from '../../../ui/states.tsx';
import { kindLabel, tierLabel } from '../../cases/labels.ts';
import { useCustomer, useOrder } from '../hooks/use-customer.ts';
import type { CustomerCase, CustomerRecord, OrderShipmentSummary } from '../types.ts';

const segmentColor: Record<string, string> = { new: 'blue', active: 'green', at_risk: 'orange', lapsed: 'gray', recovered: 'teal' };

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500}>
        {children}
      </Text>
    </div>
  );
}

function Shipments({ order }: { order: Order }) {
  if (order.shipments.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        Not shipped yet{order.promisedBy ? `; promised by ${formatDate(order.promisedBy)}` : ''}.
      </Text>
    );
  }
  return (
    <List size="xs" spacing={2}>
      {order.shipments.map((s) => (
        <List.Item key={s.id}>
          {s.carrier ?? 'Carrier unknown'} {s.trackingNumber ? `(${s.trackingNumber})` : ''}:{' '}
          <Text span size="xs" fw={600} c={s.status === 'lost' || s.status === 'exception' ? 'red.9' : undefined}>
            {humanize(s.status)}
          </Text>
          {s.deliveredAt ? `, delivered ${formatDate(s.deliveredAt)}` : s.promisedBy ? `, promised by ${formatDate(s.promisedBy)}` : ''}
          {s.lastCarrierEventAt && !s.deliveredAt ? `, last scan ${formatDate(s.lastCarrierEventAt)}` : ''}
        </List.Item>
      ))}
    </List>
  );
}

function CaseOrder({ id }: { id: string }) {
  const order = useOrder(id);
  return (
    <Paper withBorder p="xs" radius="sm">
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="sm" fw={600}>
          Order {id} (this case)
        </Text>
        {order.data ? <Text size="sm">{formatMoney(order.data.total.amount, order.data.total.currency)}</Text> : null}
      </Group>
      {order.isPending ? (
        <Skeleton height={14} mt={4} />
      ) : order.isError ? (
        <Text size="xs" c="red.9">
          Could not load the order: {order.error.message}
        </Text>
      ) : (
        <>
          <Text size="xs" c="dimmed">
            {humanize(order.data.status)} · ordered {formatDate(order.data.placedAt)}
            {order.data.failedAt ? ` · failed ${formatDate(order.data.failedAt)}` : ''}
            {order.data.refunded.amount > 0 ? ` · refunded ${formatMoney(order.data.refunded.amount, order.data.refunded.currency)}` : ''}
          </Text>
          <Shipments order={order.data} />
        </>
      )}
    </Paper>
  );
}

/** A parcel's state in a few words, red when it went wrong. */
function ParcelLine({ s }: { s: OrderShipmentSummary }) {
  const bad = s.status === 'lost' || s.status === 'exception';
  return (
    <List.Item>
      {s.carrier ?? 'Carrier unknown'}
      {s.trackingNumber ? ` (${s.trackingNumber})` : ''}:{' '}
      <Text span size="xs" fw={600} c={bad ? 'red.9' : undefined}>
        {humanize(s.status)}
      </Text>
      {s.deliveredAt ? `, delivered ${formatDate(s.deliveredAt)}` : s.promisedBy ? `, promised by ${formatDate(s.promisedBy)}` : ''}
    </List.Item>
  );
}

function OrderLine({ o }: { o: CustomerRecord['recentOrders'][number] }) {
  return (
    <li style={{ listStyle: 'none' }}>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" fw={600}>
          Order {o.id}
        </Text>
        <Text size="xs">{formatMoney(o.total.amount, o.total.currency)}</Text>
      </Group>
      <Text size="xs" c="dimmed">
        {humanize(o.status)} · ordered {formatDate(o.placedAt)}
        {o.failedAt ? ` · failed ${formatDate(o.failedAt)}` : ''}
        {o.refunded.amount > 0 ? ` · refunded ${formatMoney(o.refunded.amount, o.refunded.currency)}` : ''}
      </Text>
      {o.shipments.length > 0 ? (
        <List size="xs" spacing={0}>
          {o.shipments.map((s) => (
            <ParcelLine key={s.id} s={s} />
          ))}
        </List>
      ) : (
        <Text size="xs" c="dimmed">
          Not shipped{o.promisedBy ? `; promised by ${formatDate(o.promisedBy)}` : ''}.
        </Text>
      )}
    </li>
  );
}

/** How an earlier case ended: the outcome given when it was resolved and the remedies issued on it. */
function EarlierCase({ x }: { x: CustomerCase }) {
  const open = x.status !== 'resolved' && x.status !== 'closed';
  const outcome = x.outcome?.replace(/^Outcome:\s*/, '') ?? null;
  return (
    <List.Item>
      <Anchor component={Link} to={`/cases/${encodeURIComponent(x.id)}`} size="xs" underline="always">
        #{x.number}
      </Anchor>{' '}
      {x.subject ?? 'No subject'}
      <Text size="xs" c="dimmed">
        {x.kind ? `${kindLabel[x.kind] ?? humanize(x.kind)} · ` : ''}
        {formatDate(x.createdAt)} ·{' '}
        {open ? `still open (${humanize(x.status)})` : `${humanize(x.status)}${x.resolvedAt ? ` ${formatDate(x.resolvedAt)}` : ''}`}
      </Text>
      {outcome ? <Text size="xs">Ended: {outcome}</Text> : null}
      {x.remedies.length > 0 ? (
        <Text size="xs">Remedy: {x.remedies.map((r) => r.label).join('; ')}</Text>
      ) : !open ? (
        <Text size="xs" c="dimmed">
          No remedy issued.
        </Text>
      ) : null}
    </List.Item>
  );
}

/** Who the customer is to the store: value, tier, tenure, orders and their parcels, earlier failures and how they ended. */
export function CustomerPanel({
  customerId,
  tier,
  caseId,
  orderId,
  userName,
}: {
  customerId: string | null;
  tier: Tier | null;
  caseId: string;
  orderId: string | null;
  userName: (id: string | null) => string;
}) {
  const q = useCustomer(customerId);
  if (!customerId) {
    return (
      <Paper withBorder p="md" radius="md">
        <Text size="sm" c="dimmed">
          No customer record is linked to this case.
        </Text>
      </Paper>
    );
  }
  if (q.isPending) {
    return (
      <Paper withBorder p="md" radius="md" aria-busy>
        <Skeleton height={18} width="60%" mb="sm" />
        <Skeleton height={60} />
      </Paper>
    );
  }
  if (q.isError) return <ErrorState title="Could not load the customer" error={q.error} onRetry={() => q.refetch()} />;
  const c = q.data;
  const m = c.metrics;
  const currency = c.currency ?? 'USD';
  const otherCases = c.cases.filter((x) => x.id !== caseId);
  const orders = c.recentOrders.filter((o) => o.id !== orderId);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="customer-heading">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Title order={2} size="h4" id="customer-heading">
              {c.name ?? c.email ?? c.id}
            </Title>
            <Text size="sm" c="dimmed" truncate>
              {[c.email, c.phone].filter(Boolean).join(' · ') || c.id}
            </Text>
          </div>
          <Group gap={4} justify="flex-end">
            {tier ? (
              <Badge color={tier === 'vip' ? 'grape' : 'blue'} variant="light">
                {tierLabel[tier]}
              </Badge>
            ) : null}
            <Badge color={segmentColor[m.segment] ?? 'gray'} variant="light">
              {humanize(m.segment)}
            </Badge>
          </Group>
        </Group>
        <SimpleGrid cols={2} spacing="xs" verticalSpacing="xs">
          <Fact label="Lifetime value">{formatMoney(m.lifetimeValue, currency)}</Fact>
          <Fact label="Orders">
            {m.ordersCount} (avg {formatMoney(m.averageOrderValue, currency)})
          </Fact>
          <Fact label="Customer for">{plural(m.tenureDays, 'day')}</Fact>
          <Fact label="Last order">{m.daysSinceLastOrder === null ? 'never' : `${plural(m.daysSinceLastOrder, 'day')} ago`}</Fact>
          <Fact label="Past failures">
            {m.failuresCount}
            {m.lastFailureAt ? `, last ${formatDate(m.lastFailureAt)}` : ''}
          </Fact>
          <Fact label="Prefers">{c.preferredRemedy ? humanize(c.preferredRemedy) : 'no pattern yet'}</Fact>
          <Fact label="Relationship manager">{c.relationshipManagerId ? userName(c.relationshipManagerId) : 'none'}</Fact>
          {c.tags.length > 0 ? <Fact label="Tags">{c.tags.join(', ')}</Fact> : null}
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Orders
          </Text>
          {orderId ? <CaseOrder id={orderId} /> : null}
          {orders.length === 0 ? (
            <Text size="xs" c="dimmed">
              {orderId ? 'No other recent orders.' : 'No orders.'}
            </Text>
          ) : (
            <Stack gap={6} component="ul" p={0} m={0}>
              {orders.map((o) => (
                <OrderLine key={o.id} o={o} />
              ))}
            </Stack>
          )}
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Earlier cases and how they ended
          </Text>
          {otherCases.length === 0 ? (
            <Text size="xs" c="dimmed">
              This is the customer’s first case.
            </Text>
          ) : (
            <List size="xs" spacing={6}>
              {otherCases.slice(0, 6).map((x) => (
                <EarlierCase key={x.id} x={x} />
              ))}
            </List>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}
