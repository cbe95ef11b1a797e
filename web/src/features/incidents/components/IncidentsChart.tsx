import { BarChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, Skeleton, Stack, Text, Title } from '@mantine/core';
import { ErrorState } from '../../../ui/states.tsx';
import { useIncidentStats } from '../hooks/use-incidents.ts';
import type { IncidentStats } from '../types.ts';
import { monitorColor, monitorLabel } from './labels.ts';

export type ChartMeasure = 'incidents' | 'customers';

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
/** `2026-03-02` → `Mar 2` (a calendar day of the store, not an instant: formatted as-is). */
const shortDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));

function chartData(s: IncidentStats, measure: ChartMeasure) {
  return s.days.map((d) => {
    const row: Record<string, string | number> = { day: shortDay(d.day) };
    for (const m of s.monitors) {
      const v = d.byMonitor[m];
      row[m] = v ? (measure === 'incidents' ? v.incidents : v.affectedCustomers) : 0;
    }
    return row;
  });
}

/** Incidents started (or customers they affected) per day over the last `days` days, stacked by monitor. */
export function IncidentsChart({
  days,
  measure,
  onDays,
  onMeasure,
}: {
  days: number;
  measure: ChartMeasure;
  onDays: (d: number) => void;
  onMeasure: (m: ChartMeasure) => void;
}) {
  const q = useIncidentStats(days);
  const what = measure === 'incidents' ? 'Incidents started' : 'Customers affected';
  const total = q.data ? (measure === 'incidents' ? q.data.totals.incidents : q.data.totals.affectedCustomers) : 0;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="incidents-chart-title">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={0}>
            <Title order={2} size="h4" id="incidents-chart-title">
              {what} per day
            </Title>
            <Text size="sm" c="dimmed">
              {q.data
                ? `${total} in the last ${days} days (${q.data.from} to ${q.data.to}, ${q.data.timezone}), by the monitor that found them`
                : `The last ${days} days, by the monitor that found them`}
            </Text>
          </Stack>
          <Group gap="xs">
            <SegmentedControl
              size="xs"
              value={measure}
              onChange={(v) => onMeasure(v as ChartMeasure)}
              data={[
                { value: 'incidents', label: 'Incidents' },
                { value: 'customers', label: 'Customers' },
              ]}
              aria-label="What to count"
            />
            <SegmentedControl
              size="xs"
              value={String(days)}
              onChange={(v) => onDays(Number(v))}
              data={[
                { value: '7', label: '7 d' },
                { value: '30', label: '30 d' },
                { value: '90', label: '90 d' },
              ]}
              aria-label="How many days"
            />
          </Group>
        </Group>
        {q.isPending ? (
          <Skeleton height={220} aria-label="Loading the chart" />
        ) : q.isError ? (
          <ErrorState title="Could not load the chart" error={q.error} onRetry={() => q.refetch()} />
        ) : q.data.totals.incidents === 0 ? (
          <Text size="sm" c="dimmed" py="lg" ta="center">
            No incidents started in the last {days} days.
          </Text>
        ) : (
          <div role="img" aria-label={chartSummary(q.data, measure)}>
            <BarChart
              h={220}
              data={chartData(q.data, measure)}
              dataKey="day"
              type="stacked"
              series={q.data.monitors.map((m, i) => ({ name: m, label: monitorLabel(m), color: monitorColor(m, i) }))}
              withLegend
              legendProps={{ verticalAlign: 'bottom', height: 40 }}
              tickLine="y"
              gridAxis="x"
              yAxisProps={{ allowDecimals: false, width: 32, ...yScale(q.data, measure) }}
              xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 16 }}
              tooltipAnimationDuration={150}
              maxBarWidth={28}
            />
          </div>
        )}
      </Stack>
    </Paper>
  );
}

/** Whole numbers on the y axis, evenly spaced: every count up to 5, else a rounded top and recharts' own ticks. */
function yScale(s: IncidentStats, measure: ChartMeasure): { domain: [number, number]; ticks?: number[] } {
  const max = Math.max(0, ...s.days.map((d) => (measure === 'incidents' ? d.incidents : d.affectedCustomers)));
  if (max <= 4) {
    const top = max + 1;
    return { domain: [0, top], ticks: Array.from({ length: top + 1 }, (_, i) => i) };
  }
  const step = 10 ** Math.floor(Math.log10(max));
  return { domain: [0, Math.ceil((max * 1.1) / step) * step] };
}

/** The chart in words, for screen readers: the busiest days and the total per monitor. */
function chartSummary(s: IncidentStats, measure: ChartMeasure): string {
  const pick = (v: { incidents: number; affectedCustomers: number }) => (measure === 'incidents' ? v.incidents : v.affectedCustomers);
  const noun = measure === 'incidents' ? 'incidents' : 'customers affected';
  const perMonitor = s.monitors
    .map((m) => `${monitorLabel(m)}: ${s.days.reduce((n, d) => n + (d.byMonitor[m] ? pick(d.byMonitor[m]) : 0), 0)}`)
    .join(', ');
  const busiest = [...s.days]
    .filter((d) => pick(d) > 0)
    .sort((a, b) => pick(b) - pick(a))
    .slice(0, 3)
    .map((d) => `${shortDay(d.day)}: ${pick(d)}`)
    .join(', ');
  return `Bar chart of ${noun} per day from ${s.from} to ${s.to}. By monitor: ${perMonitor}. Busiest days: ${busiest}.`;
}
