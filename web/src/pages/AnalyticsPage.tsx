import { SegmentedControl, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { AnalyticsFilters } from '../features/analytics/components/AnalyticsFilters.tsx';
import { CsvBlobButton, CsvLink } from '../features/analytics/components/CsvLink.tsx';
import { KpiTiles } from '../features/analytics/components/KpiTiles.tsx';
import { Panel } from '../features/analytics/components/Panel.tsx';
import { ParadoxPanel, paradoxCsv } from '../features/analytics/components/ParadoxPanel.tsx';
import { ParetoChart } from '../features/analytics/components/ParetoChart.tsx';
import { RecurringTable } from '../features/analytics/components/RecurringTable.tsx';
import { TrendChart } from '../features/analytics/components/TrendChart.tsx';
import { WeakSpotsTable } from '../features/analytics/components/WeakSpotsTable.tsx';
import { kpiParams, paradoxParams, periodRange, readView, rootCauseParams } from '../features/analytics/filters.ts';
import { analyticsUrl, useKpis, useParadox, usePareto, useRecurring, useWeakSpots } from '../features/analytics/hooks/use-analytics.ts';
import { type ParetoDimension, paretoDimensions } from '../features/analytics/types.ts';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { kindLabel } from '../features/cases/labels.ts';
import { ScrollTable } from '../ui/ScrollTable.tsx';
import { Empty, ErrorState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

const byLabel: Record<ParetoDimension, string> = { kind: 'Kind', cause: 'Cause', carrier: 'Carrier', sku: 'Product', region: 'Region' };
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** One query's three states: a placeholder while loading, the error with a retry, else the content. */
function Loaded<T>({
  q,
  what,
  height = 160,
  children,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  what: string;
  height?: number;
  children: (data: T) => React.ReactNode;
}) {
  if (q.isPending) return <Skeleton height={height} aria-label={`Loading ${what}`} />;
  if (q.isError || q.data === undefined) return <ErrorState title={`Could not load ${what}`} error={q.error} onRetry={() => q.refetch()} />;
  return <>{children(q.data)}</>;
}

export function AnalyticsPage() {
  usePageTitle('Analytics');
  const session = useSession();
  if (!roleAtLeast(session.user.role, 'manager'))
    return <Empty title="Managers only">Analytics needs the manager role. Your role is {session.user.role}.</Empty>;
  return <AnalyticsDashboard />;
}

function AnalyticsDashboard() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const view = readView(params);
  // The period's days are fixed for the page's life: today does not move under a manager's eyes.
  const now = useMemo(() => Date.now(), []);
  const range = periodRange(view, now);
  const kpiQuery = kpiParams(view, now);
  const rootQuery = rootCauseParams(view, now);
  const windowDays = params.get('window') === '180' ? 180 : 90;
  const paradoxQuery = paradoxParams(view, now, windowDays);
  const by: ParetoDimension = (paretoDimensions as readonly string[]).includes(params.get('by') ?? '')
    ? (params.get('by') as ParetoDimension)
    : 'kind';

  const change = (changes: Record<string, string | null>) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes)) {
          const isDefault = (k === 'period' && v === '90') || (k === 'by' && v === 'kind') || (k === 'window' && v === '90');
          if (v === null || v === '' || isDefault) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );

  const kpis = useKpis(kpiQuery);
  const paradox = useParadox(paradoxQuery);
  const pareto = usePareto(rootQuery, by);
  const weak = useWeakSpots(rootQuery);
  const recurring = useRecurring(rootQuery);

  const currency = kpis.data?.summary.cost.total.currency ?? session.store.currency;
  const label = (v: string) => (by === 'kind' ? (kindLabel[v] ?? v) : v);

  return (
    <Stack gap="md">
      <Stack gap={0}>
        <Title order={1} size="h2">
          Analytics
        </Title>
        <Text size="sm" c="dimmed">
          {range.from} to {range.to} (UTC days). The filters apply to the key figures. How fast and how well failures are recovered, what it
          costs, whether recovered customers come back, and where failures come from.
        </Text>
      </Stack>
      <AnalyticsFilters view={view} range={range} onChange={change} />

      <Panel id="kpis" title="Key figures" actions={<CsvLink href={analyticsUrl('kpis', kpiQuery, true)} what="key figures" />}>
        <Loaded q={kpis} what="the key figures">
          {(k) => (
            <>
              <KpiTiles kpis={k} />
              <TrendChart trend={k.trend ?? []} currency={currency} />
            </>
          )}
        </Loaded>
      </Panel>

      <Panel
        id="paradox"
        title="Do recovered customers come back?"
        description={`Repurchase within ${windowDays} days of a failure for customers who never failed, were recovered, or were not; bars with their 95 % intervals. Failures from ${paradoxQuery.from} to ${paradoxQuery.to}.`}
        actions={
          <>
            <SegmentedControl
              size="xs"
              value={String(windowDays)}
              onChange={(v) => change({ window: v })}
              data={[
                { value: '90', label: '90 days' },
                { value: '180', label: '180 days' },
              ]}
              aria-label="Repurchase window"
            />
            {paradox.data ? (
              <CsvBlobButton
                csv={() => paradoxCsv(paradox.data)}
                filename={`amends-paradox-${paradox.data.from}-${paradox.data.to}.csv`}
                what="cohorts"
              />
            ) : null}
          </>
        }
      >
        <Loaded q={paradox} what="the cohorts" height={260}>
          {(p) => <ParadoxPanel paradox={p} />}
        </Loaded>
      </Panel>

      <Panel
        id="pareto"
        title="Where failures come from"
        description="Failures by the chosen dimension, most first, with the cumulative share."
        actions={
          <>
            <SegmentedControl
              size="xs"
              value={by}
              onChange={(v) => change({ by: v })}
              data={paretoDimensions.map((d) => ({ value: d, label: byLabel[d] }))}
              aria-label="Failures by"
            />
            <CsvLink href={analyticsUrl('pareto', { ...rootQuery, by }, true)} what={`failures by ${by}`} />
          </>
        }
      >
        <Loaded q={pareto} what="the Pareto chart" height={260}>
          {(p) =>
            p.rows.length === 0 ? (
              <Text size="sm" c="dimmed">
                No failures with a {byLabel[by].toLowerCase()} in the period.
              </Text>
            ) : (
              <>
                <ParetoChart pareto={p} label={label} />
                <ScrollTable minWidth={420} label={`Failures by ${byLabel[by].toLowerCase()}`}>
                  <Table verticalSpacing={4} fz="sm" striped aria-label={`Failures by ${byLabel[by].toLowerCase()}`}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{byLabel[by]}</Table.Th>
                        <Table.Th ta="right">Failures</Table.Th>
                        <Table.Th ta="right">Share</Table.Th>
                        <Table.Th ta="right">Cumulative</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {p.rows.map((r) => (
                        <Table.Tr key={r.value}>
                          <Table.Td>{label(r.value)}</Table.Td>
                          <Table.Td ta="right">{r.count}</Table.Td>
                          <Table.Td ta="right">{pct(r.share)}</Table.Td>
                          <Table.Td ta="right">{pct(r.cumulativeShare)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollTable>
                {p.unattributed > 0 ? (
                  <Text size="xs" c="dimmed">
                    {p.unattributed} of {p.failures} failures have no {byLabel[by].toLowerCase()} and are left out.
                  </Text>
                ) : null}
              </>
            )
          }
        </Loaded>
      </Panel>

      <Panel
        id="weak-spots"
        title="Weak spots"
        description="Products, carriers and hours of the day whose orders fail most often (failed orders / orders)."
        actions={<CsvLink href={analyticsUrl('weak-spots', rootQuery, true)} what="weak spots" />}
      >
        <Loaded q={weak} what="the weak spots">
          {(w) => <WeakSpotsTable spots={w} />}
        </Loaded>
      </Panel>

      <Panel
        id="recurring"
        title="Recurring issues"
        description="Weeks when failures of one kind, carrier, product or region spiked against the weeks before."
        actions={<CsvLink href={analyticsUrl('recurring', rootQuery, true)} what="recurring issues" />}
      >
        <Loaded q={recurring} what="the recurring issues">
          {(r) => <RecurringTable issues={r} />}
        </Loaded>
      </Panel>
    </Stack>
  );
}
