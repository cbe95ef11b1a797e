import { Alert, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import type { Paradox, SplitLine, Verdict } from '../types.ts';
import { CohortChart, type NamedCohort, pct } from './CohortChart.tsx';

export function mainCohorts(p: Paradox): NamedCohort[] {
  return [
    { name: 'Never failed', stat: p.cohorts.neverFailed },
    { name: 'Recovered', stat: p.cohorts.recovered },
    { name: 'Not recovered', stat: p.cohorts.notRecovered },
  ];
}

const splitName = (group: 'severity' | 'repeat', key: string) =>
  group === 'severity' ? `Severity ${key}` : key === 'repeat' ? 'Repeat failure' : 'First failure';

/** The cohorts as CSV (the paradox endpoint has no CSV of its own): one row per cohort and split. */
export function paradoxCsv(p: Paradox): string {
  const rows: (string | number)[][] = [['group', 'cohort', 'customers', 'repurchased', 'rate', 'low', 'high', 'verdict']];
  const line = (group: string, cohort: string, s: NamedCohort['stat'], v: Verdict | null) =>
    rows.push([group, cohort, s.n, s.repurchased, s.rate ?? '', s.interval?.low ?? '', s.interval?.high ?? '', v?.outcome ?? '']);
  for (const c of mainCohorts(p)) line('all', c.name, c.stat, p.verdict);
  for (const [group, splits] of [
    ['severity', p.bySeverity],
    ['repeat', p.byRepeat],
  ] as const) {
    for (const s of splits) {
      line(splitName(group, s.key), 'Recovered', s.recovered, s.verdict);
      line(splitName(group, s.key), 'Not recovered', s.notRecovered, s.verdict);
    }
  }
  const cell = (v: string | number) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  return `${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

function Split({ group, s, never, windowDays }: { group: 'severity' | 'repeat'; s: SplitLine; never: NamedCohort; windowDays: number }) {
  const name = splitName(group, s.key);
  return (
    <Stack gap={6}>
      <Title order={4} size="h5">
        {name}
      </Title>
      <CohortChart
        cohorts={[never, { name: 'Recovered', stat: s.recovered }, { name: 'Not recovered', stat: s.notRecovered }]}
        title={`Repurchase within ${windowDays} days, ${name.toLowerCase()}`}
        height={200}
      />
      <Text size="sm">{s.verdict.text}</Text>
    </Stack>
  );
}

/** The three cohorts with their intervals and the verdict, then the same by severity and by first vs repeat failure. */
export function ParadoxPanel({ paradox }: { paradox: Paradox }) {
  const cohorts = mainCohorts(paradox);
  const label = 'Cohorts: the numbers';
  return (
    <Stack gap="sm">
      <CohortChart cohorts={cohorts} title={`Repurchase within ${paradox.windowDays} days`} height={260} />
      <Alert
        variant="light"
        color={paradox.verdict.outcome === 'too_small' ? 'gray' : paradox.verdict.outcome === 'holds' ? 'teal' : 'orange'}
        title="Verdict"
      >
        <Text size="sm" data-testid="paradox-verdict">
          {paradox.verdict.text}
        </Text>
        <Text size="sm" mt={4}>
          {paradox.recoveryEffect.text}
        </Text>
      </Alert>
      <ScrollTable minWidth={460} label={label}>
        <Table verticalSpacing={4} fz="sm" aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Cohort</Table.Th>
              <Table.Th ta="right">Customers</Table.Th>
              <Table.Th ta="right">Came back</Table.Th>
              <Table.Th ta="right">Rate</Table.Th>
              <Table.Th ta="right">95 % interval</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cohorts.map(({ name, stat }) => (
              <Table.Tr key={name}>
                <Table.Td>{name}</Table.Td>
                <Table.Td ta="right">{stat.n}</Table.Td>
                <Table.Td ta="right">{stat.repurchased}</Table.Td>
                <Table.Td ta="right">{pct(stat.rate)}</Table.Td>
                <Table.Td ta="right">{stat.interval ? `${pct(stat.interval.low)} – ${pct(stat.interval.high)}` : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      <Text size="xs" c="dimmed">
        {paradox.from} to {paradox.to}. {paradox.notes.join(' ')} Not compared: {paradox.notCompared.unrated} resolved without a CSAT
        answer, {paradox.notCompared.open} still open.
      </Text>
      <Title order={3} size="h5">
        By severity and by first vs repeat failure
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {paradox.bySeverity.map((s) => (
          <Split key={`sev-${s.key}`} group="severity" s={s} never={cohorts[0]!} windowDays={paradox.windowDays} />
        ))}
        {paradox.byRepeat.map((s) => (
          <Split key={`rep-${s.key}`} group="repeat" s={s} never={cohorts[0]!} windowDays={paradox.windowDays} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
