import { LineChart } from '@mantine/charts';
import { SegmentedControl, Text } from '@mantine/core';
import { useState } from 'react';
import { formatMoney } from '../../../ui/format.ts';
import type { TrendPoint } from '../types.ts';

type Measure = 'cases' | 'csat' | 'cost';

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const shortDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));

/** Cases opened and resolved, CSAT or recovery cost per day of the period. */
export function TrendChart({ trend, currency }: { trend: TrendPoint[]; currency: string }) {
  const [measure, setMeasure] = useState<Measure>('cases');
  const data = trend.map((p) => ({
    day: shortDay(p.day),
    opened: p.cases,
    resolved: p.resolved,
    csat: p.csatAverage,
    cost: p.cost / 100,
  }));
  const series =
    measure === 'cases'
      ? [
          { name: 'opened', label: 'Opened', color: 'blue.6' },
          { name: 'resolved', label: 'Resolved', color: 'teal.6' },
        ]
      : measure === 'csat'
        ? [{ name: 'csat', label: 'CSAT average', color: 'grape.6' }]
        : [{ name: 'cost', label: `Recovery cost (${currency})`, color: 'orange.7' }];
  const total = (k: 'cases' | 'resolved') => trend.reduce((n, p) => n + p[k], 0);
  const summary =
    measure === 'cases'
      ? `Line chart of cases per day from ${trend[0]?.day} to ${trend.at(-1)?.day}: ${total('cases')} opened, ${total('resolved')} resolved.`
      : measure === 'csat'
        ? `Line chart of the average CSAT per day; ${trend.filter((p) => p.csatAverage !== null).length} days with answers.`
        : `Line chart of recovery cost per day: ${formatMoney(
            trend.reduce((n, p) => n + p.cost, 0),
            currency,
          )} in total.`;
  return (
    <>
      <SegmentedControl
        size="xs"
        value={measure}
        onChange={(v) => setMeasure(v as Measure)}
        data={[
          { value: 'cases', label: 'Cases' },
          { value: 'csat', label: 'CSAT' },
          { value: 'cost', label: 'Cost' },
        ]}
        aria-label="Trend measure"
        style={{ alignSelf: 'flex-start' }}
      />
      {trend.length === 0 ? (
        <Text size="sm" c="dimmed">
          No days in the period.
        </Text>
      ) : (
        <div role="img" aria-label={summary} data-testid="trend-chart">
          <LineChart
            h={220}
            data={data}
            dataKey="day"
            series={series}
            curveType="monotone"
            withDots={false}
            connectNulls={false}
            withLegend
            legendProps={{ verticalAlign: 'bottom', height: 36 }}
            xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 24 }}
            yAxisProps={{ width: 40, ...(measure === 'csat' ? { domain: [1, 5] } : {}) }}
            tooltipAnimationDuration={150}
          />
        </div>
      )}
    </>
  );
}
