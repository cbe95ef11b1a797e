import { useComputedColorScheme } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { CohortStat } from '../types.ts';

export interface NamedCohort {
  name: string;
  stat: CohortStat;
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const colors = ['#1c7ed6', '#2f9e44', '#e03131', '#ae3ec9', '#f08c00'];

/**
 * The repurchase rate of each cohort as a bar, with its Wilson 95 % interval drawn as an error bar (recharts'
 * ErrorBar with an asymmetric [below, above] error), on a fixed 0–100 % axis so that cohorts compare by eye.
 */
export function CohortChart({ cohorts, title, height = 240 }: { cohorts: NamedCohort[]; title: string; height?: number }) {
  const dark = useComputedColorScheme('light') === 'dark';
  const data = cohorts.map(({ name, stat }) => {
    const rate = stat.rate === null ? null : stat.rate * 100;
    const ci = stat.interval;
    return {
      name,
      rate,
      interval: rate !== null && ci ? [rate - ci.low * 100, ci.high * 100 - rate] : [0, 0],
    };
  });
  const summary = `${title}: ${cohorts
    .map(
      ({ name, stat }) =>
        `${name} ${pct(stat.rate)}, 95 % interval ${pct(stat.interval?.low)} to ${pct(stat.interval?.high)}, ${stat.n} customers`,
    )
    .join('; ')}.`;
  const ink = dark ? '#dee2e6' : '#343a40';
  return (
    <div role="img" aria-label={summary} data-testid="cohort-chart" style={{ width: '100%', height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 12, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke={dark ? '#495057' : '#e9ecef'} />
          <XAxis dataKey="name" tick={{ fontSize: 11, fill: ink }} interval={0} height={40} tickLine={false} />
          <YAxis
            domain={[0, 100]}
            ticks={[0, 25, 50, 75, 100]}
            tickFormatter={(v: number) => `${v} %`}
            width={44}
            tick={{ fontSize: 11, fill: ink }}
          />
          <Bar dataKey="rate" isAnimationActive={false} maxBarSize={64}>
            {data.map((d, i) => (
              <Cell key={d.name} fill={colors[i % colors.length]} fillOpacity={0.8} />
            ))}
            <ErrorBar dataKey="interval" width={10} strokeWidth={2} stroke={ink} direction="y" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
