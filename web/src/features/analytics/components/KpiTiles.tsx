import { Paper, SimpleGrid, Text } from '@mantine/core';
import { formatDuration, formatMoney } from '../../../ui/format.ts';
import type { DurationStats, Kpis } from '../types.ts';

const pct = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)} %`);
const minutes = (m: number | null | undefined) => (m === null || m === undefined ? '—' : formatDuration(m * 60_000));
const durations = (d: DurationStats) => `${minutes(d.p50Minutes)} median, ${minutes(d.p90Minutes)} p90`;

interface Tile {
  label: string;
  value: string;
  detail: string;
}

export function kpiTiles(k: Kpis): Tile[] {
  const s = k.summary;
  const currency = s.cost.total.currency;
  const proactiveShare = k.proactiveShare;
  const tiles: Tile[] = [
    { label: 'Cases', value: String(s.cases), detail: `${s.resolved} resolved` },
    {
      label: 'First response (business hours)',
      value: minutes(s.firstResponse.business.p50Minutes),
      detail:
        s.firstResponse.wall.count === 0
          ? 'None in the period'
          : `median; p90 ${minutes(s.firstResponse.business.p90Minutes)} · wall clock ${durations(s.firstResponse.wall)}`,
    },
    {
      label: 'Resolution (business hours)',
      value: minutes(s.resolution.business.p50Minutes),
      detail:
        s.resolution.wall.count === 0
          ? 'None in the period'
          : `median; p90 ${minutes(s.resolution.business.p90Minutes)} · wall clock ${durations(s.resolution.wall)}`,
    },
    {
      label: 'First-contact resolution',
      value: pct(s.firstContactResolution.rate),
      detail: `${s.firstContactResolution.cases} of ${s.resolved} resolved`,
    },
    {
      label: 'Contacts per case',
      value: s.contactsPerCase === null ? '—' : s.contactsPerCase.toFixed(2),
      detail: 'Customer messages per case',
    },
    { label: 'CSAT', value: s.csat.average === null ? '—' : `${s.csat.average.toFixed(2)} / 5`, detail: `${s.csat.count} answers` },
    { label: 'CES', value: s.ces.average === null ? '—' : s.ces.average.toFixed(2), detail: `${s.ces.count} answers` },
    { label: 'NPS', value: s.nps.score === null ? '—' : String(s.nps.score), detail: `${s.nps.count} answers` },
    {
      label: 'SLA attainment',
      value: pct(s.sla.firstResponse.attainment),
      detail: `first response · resolution ${pct(s.sla.resolution.attainment)}`,
    },
    {
      label: 'Recovery cost',
      value: formatMoney(s.cost.total.amount, currency),
      detail: `${s.cost.perCase ? `${formatMoney(s.cost.perCase.amount, currency)} per case` : '—'} · ${
        s.cost.shareOfRevenue === null ? '—' : `${s.cost.shareOfRevenue.toFixed(2)} %`
      } of revenue`,
    },
  ];
  if (proactiveShare !== null)
    tiles.push({ label: 'Proactive share', value: pct(proactiveShare), detail: 'Cases opened before the customer complained' });
  return tiles;
}

/** The headline figures of the period, one tile each. */
export function KpiTiles({ kpis }: { kpis: Kpis }) {
  return (
    <SimpleGrid
      cols={{ base: 1, xs: 2, md: 4 }}
      spacing="sm"
      component="ul"
      aria-label="Key figures"
      style={{ listStyle: 'none', padding: 0, margin: 0 }}
    >
      {kpiTiles(kpis).map((t) => (
        <Paper key={t.label} withBorder p="sm" component="li" data-testid="kpi-tile">
          <Text size="xs" c="dimmed" fw={500}>
            {t.label}
          </Text>
          <Text size="xl" fw={700} lh={1.3}>
            {t.value}
          </Text>
          <Text size="xs" c="dimmed">
            {t.detail}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
