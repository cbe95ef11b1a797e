import { Table, Text } from '@mantine/core';
import { formatDate, formatMoney, humanize } from '../../../ui/format.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { CountCost, PolicyOutcome, Simulation } from '../types.ts';

const int = (n: number) => n.toLocaleString();
const signed = (n: number, show: (abs: number) => string) => (n === 0 ? '±0' : `${n > 0 ? '+' : '−'}${show(Math.abs(n))}`);

interface Row {
  key: string;
  label: string;
  current: string;
  edited: string;
  diff: string;
  /** Sub-rows are indented under their section. */
  sub?: boolean;
}

function union(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = Object.keys(a);
  for (const k of Object.keys(b)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** Current (compared with) and edited policy side by side over the same history, with the difference. */
export function SimulationTable({ sim }: { sim: Simulation }) {
  const cur = sim.vs;
  const ed = sim.source;
  const money = (minor: number, p: PolicyOutcome) => formatMoney(minor, p.currency);
  const sameCurrency = cur.currency === ed.currency;
  const rows: Row[] = [];
  const share = (key: string, label: string, n: (p: PolicyOutcome) => number, pct: (p: PolicyOutcome) => number) =>
    rows.push({
      key,
      label,
      current: `${int(n(cur))} (${pct(cur).toFixed(1)} %)`,
      edited: `${int(n(ed))} (${pct(ed).toFixed(1)} %)`,
      diff: `${signed(n(ed) - n(cur), int)} (${signed(Math.round((pct(ed) - pct(cur)) * 10) / 10, (x) => x.toFixed(1))} pt)`,
    });
  const cost = (key: string, label: string, get: (p: PolicyOutcome) => number) =>
    rows.push({
      key,
      label,
      current: money(get(cur), cur),
      edited: money(get(ed), ed),
      diff: sameCurrency ? signed(get(ed) - get(cur), (x) => money(x, ed)) : '—',
    });
  const section = (key: string, title: string, get: (p: PolicyOutcome) => Record<string, CountCost>) => {
    rows.push({ key, label: title, current: '', edited: '', diff: '' });
    for (const k of union(get(cur), get(ed))) {
      const a = get(cur)[k] ?? { count: 0, cost: 0 };
      const b = get(ed)[k] ?? { count: 0, cost: 0 };
      rows.push({
        key: `${key}-${k}`,
        label: humanize(k),
        sub: true,
        current: `${int(a.count)} · ${money(a.cost, cur)}`,
        edited: `${int(b.count)} · ${money(b.cost, ed)}`,
        diff: `${signed(b.count - a.count, int)} · ${sameCurrency ? signed(b.cost - a.cost, (x) => money(x, ed)) : '—'}`,
      });
    }
  };

  rows.push({
    key: 'cases',
    label: 'Cases simulated',
    current: int(cur.cases),
    edited: int(ed.cases),
    diff: signed(ed.cases - cur.cases, int),
  });
  share(
    'auto',
    'Issued automatically',
    (p) => p.autoIssued,
    (p) => p.autoIssuedPercent,
  );
  share(
    'approval',
    'Needs approval (agent)',
    (p) => p.needsApproval,
    (p) => p.needsApprovalPercent,
  );
  share(
    'guardrail',
    'Guardrail fired',
    (p) => p.guardrailFired,
    (p) => p.guardrailPercent,
  );
  cost('total', 'Total cost (all granted)', (p) => p.totalCost.amount);
  cost('given', 'of which without approval', (p) => p.givenCost.amount);
  const pctOf = (p: PolicyOutcome) => (p.costPercentOfRevenue === null ? '—' : `${p.costPercentOfRevenue.toFixed(2)} %`);
  rows.push({
    key: 'revenue',
    label: 'Cost as % of revenue',
    current: pctOf(cur),
    edited: pctOf(ed),
    diff:
      cur.costPercentOfRevenue === null || ed.costPercentOfRevenue === null
        ? '—'
        : `${signed(Math.round((ed.costPercentOfRevenue - cur.costPercentOfRevenue) * 100) / 100, (x) => x.toFixed(2))} pt`,
  });
  section('tier', 'By customer tier (cases · cost)', (p) => p.byTier);
  section('kind', 'By offer kind (cases · cost)', (p) => p.byOfferKind);

  const period =
    sim.firstCaseAt && sim.lastCaseAt ? `${formatDate(sim.firstCaseAt)} to ${formatDate(sim.lastCaseAt)}` : 'no cases in the period';
  return (
    <ScrollTable minWidth={640} label="Simulation results">
      <Table striped highlightOnHover captionSide="top" aria-label="Simulation: current policy and edited policy side by side">
        <Table.Caption style={{ textAlign: 'left' }}>
          <Text size="sm" c="dimmed" component="span">
            {int(sim.cases)} cases, {period}. Revenue {money(cur.revenue.amount, cur)}.
            {sim.warmUpCases > 0 ? ` ${int(sim.warmUpCases)} earlier cases replayed as background.` : ''}
            {sim.limit.capped ? ` Only the most recent ${int(sim.limit.maxCases)} cases were counted.` : ''}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Figure</Table.Th>
            <Table.Th scope="col" ta="right">
              Current: {cur.name}
              {cur.active ? ' (active)' : ''}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Edited: {ed.name}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Difference
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) =>
            r.current === '' && r.edited === '' ? (
              <Table.Tr key={r.key}>
                <Table.Th scope="rowgroup" colSpan={4} pt="md">
                  {r.label}
                </Table.Th>
              </Table.Tr>
            ) : (
              <Table.Tr key={r.key}>
                <Table.Th scope="row" fw={r.sub ? 400 : 600} pl={r.sub ? 'lg' : undefined}>
                  {r.label}
                </Table.Th>
                <Table.Td ta="right" ff="monospace">
                  {r.current}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {r.edited}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {r.diff}
                </Table.Td>
              </Table.Tr>
            ),
          )}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
