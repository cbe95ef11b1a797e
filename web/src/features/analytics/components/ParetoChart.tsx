import { CompositeChart } from '@mantine/charts';
import type { Pareto } from '../types.ts';

const pct = (v: number) => `${Math.round(v * 100)} %`;

/** Failures per value, most first (bars), and the cumulative share (line, right axis 0–100 %). */
export function ParetoChart({ pareto, label, limit = 12 }: { pareto: Pareto; label: (v: string) => string; limit?: number }) {
  const rows = pareto.rows.slice(0, limit);
  const data = rows.map((r) => ({ value: label(r.value), failures: r.count, cumulative: Math.round(r.cumulativeShare * 1000) / 10 }));
  const summary = `Pareto chart of failures by ${pareto.by}: ${rows.map((r) => `${label(r.value)} ${r.count} (cumulative ${pct(r.cumulativeShare)})`).join(', ')}.`;
  return (
    <div role="img" aria-label={summary} data-testid="pareto-chart">
      <CompositeChart
        h={260}
        data={data}
        dataKey="value"
        series={[
          { name: 'failures', label: 'Failures', color: 'blue.6', type: 'bar' },
          { name: 'cumulative', label: 'Cumulative %', color: 'orange.7', type: 'line', yAxisId: 'right' },
        ]}
        withRightYAxis
        rightYAxisProps={{ domain: [0, 100], width: 44, tickFormatter: (v: number) => `${v}%` }}
        yAxisProps={{ allowDecimals: false, width: 36 }}
        xAxisProps={{
          interval: 0,
          angle: -30,
          textAnchor: 'end',
          height: 70,
          tickFormatter: (v: string) => (v.length > 14 ? `${v.slice(0, 13)}…` : v),
        }}
        withLegend
        legendProps={{ verticalAlign: 'top', height: 32 }}
        maxBarWidth={40}
        withDots
        tooltipAnimationDuration={150}
      />
    </div>
  );
}
