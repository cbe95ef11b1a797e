import path from 'node:path';
import { Command } from 'commander';
import { fractionDigits } from '../policy/money.ts';
import type { Policy } from '../policy/policy.schema.ts';
import type { CountCost, PolicyOutcome, SimEvent, SimulationReport } from '../policy/simulate.ts';
import { loadPolicyFile } from './policy-file.ts';

type Format = 'table' | 'json';

interface SimulateOptions {
  vs?: string;
  store?: string;
  from?: string;
  to?: string;
  format: string;
}

/** `amends policy simulate FILE [--vs OTHER]`: what one or two policies would have offered on the store's history. */
export function simulateSubcommand(): Command {
  return new Command('simulate')
    .description(
      "Replay the store's cases in time order under a policy file (and a second one with --vs): each case is decided as it opened, " +
        'with the customer’s lifetime value, orders, tenure and earlier compensations as they were then. ' +
        'Reports auto-issued and needs-approval shares, guardrails, cost and cost as a share of revenue, by tier, offer kind and rule. ' +
        'An offer counts as given (for later guardrails) when Amends would issue it by itself or an agent could without approval.',
    )
    .argument('<file>', 'a policy YAML file')
    .option('--vs <other>', 'a second policy file to compare with, side by side')
    .option('--store <id>', 'the store (default: the only one, or "demo" when there is one)')
    .option('--from <date>', 'count cases from this date, UTC (YYYY-MM-DD or an ISO time); earlier history still counts as background')
    .option('--to <date>', 'count cases up to this date, UTC, inclusive (YYYY-MM-DD), or before this ISO time')
    .option('--format <format>', 'table or json', 'table')
    .action(async (file: string, o: SimulateOptions) => {
      if (o.format !== 'table' && o.format !== 'json') throw new Error(`--format must be table or json, not "${o.format}"`);
      const format: Format = o.format;
      const files = o.vs ? [file, o.vs] : [file];
      const policies: { label: string; policy: Policy }[] = [];
      let invalid = false;
      // Every file's errors are printed before giving up.
      for (const f of files) {
        const loaded = await loadPolicyFile(f);
        if (loaded) policies.push({ label: f, policy: loaded.policy });
        else invalid = true;
      }
      if (invalid) return;
      for (const [i, label] of labels(files).entries()) policies[i]!.label = label;
      const from = o.from ? parseDay(o.from, 'start', '--from') : null;
      const to = o.to ? parseDay(o.to, 'end', '--to') : null;
      if (from && to && from >= to) throw new Error(`--from ${o.from} is not before --to ${o.to}`);

      const { withDatabase } = await import('./with-database.ts');
      const { loadSimulationInput, simulatePolicies } = await import('../policy/simulate.ts');
      const { report, storeId } = await withDatabase(async ({ db }) => {
        const storeId = resolveStore(
          (await db.selectFrom('stores').select('id').orderBy('id').execute()).map((s) => s.id),
          o.store,
        );
        const source = loadSimulationInput(db, storeId, { from, to });
        const report = await simulatePolicies({ policies, from, to, customers: source.customers, events: withProgress(source.events) });
        return { report, storeId };
      });
      if (format === 'json') process.stdout.write(`${JSON.stringify({ store: storeId, files, ...report })}\n`);
      else process.stdout.write(`${renderTable(storeId, report)}\n`);
    });
}

/** Column labels: file names, or the paths as given when two files share a name. */
function labels(files: string[]): string[] {
  const names = files.map((f) => path.basename(f));
  return new Set(names).size === names.length ? names : files;
}

/** A date is a whole UTC day: --from at its start, --to at its end (exclusive start of the next day). An ISO time is taken as is. */
export function parseDay(value: string, edge: 'start' | 'end', option: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const ms = Date.parse(`${value}T00:00:00.000Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new Error(`${option}: "${value}" is not a date`);
    return new Date(edge === 'start' ? ms : ms + 86_400_000).toISOString();
  }
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
    throw new Error(`${option}: "${value}" is not a date (YYYY-MM-DD) or an ISO time`);
  return new Date(ms).toISOString();
}

/** The store asked for; else the only store; else "demo" when there is one. */
export function resolveStore(stores: readonly string[], asked: string | undefined): string {
  if (asked !== undefined) {
    if (!stores.includes(asked)) throw new Error(`no store "${asked}"${stores.length ? ` (stores: ${stores.join(', ')})` : ''}`);
    return asked;
  }
  if (stores.length === 1) return stores[0]!;
  if (stores.includes('demo')) return 'demo';
  if (stores.length === 0) throw new Error('the database has no store yet (amends store create …, or amends serve --demo)');
  throw new Error(`several stores (${stores.join(', ')}): choose one with --store`);
}

/** On a terminal, a line on stderr every 50,000 events, so that a long history does not look stuck. */
async function* withProgress(events: AsyncIterable<SimEvent>): AsyncIterable<SimEvent> {
  const tty = process.stderr.isTTY;
  let n = 0;
  for await (const e of events) {
    yield e;
    if (tty && ++n % 50_000 === 0) process.stderr.write(`\r  ${n.toLocaleString('en')} events replayed (${e.at.slice(0, 10)})`);
  }
  if (tty && n >= 50_000) process.stderr.write('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The table

const LABEL = 28;
const COLUMN = 26;

/** Minor units → "1,234.56" in a currency with `digits` decimals. */
function amount(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const major = Math.floor(abs / 10 ** digits).toLocaleString('en');
  return digits > 0 ? `${sign}${major}.${String(abs % 10 ** digits).padStart(digits, '0')}` : `${sign}${major}`;
}

const int = (n: number) => n.toLocaleString('en');
const pct = (n: number) => `${n.toFixed(1)} %`;

export function renderTable(storeId: string, report: SimulationReport): string {
  const ps = report.policies;
  const digits = ps.map((p) => fractionDigits(p.currency));
  const sameCurrency = ps.every((p) => p.currency === ps[0]!.currency);
  const money = (i: number, minor: number) => amount(minor, digits[i]!);
  const lines: string[] = [];
  const row = (label: string, cells: string[]) =>
    lines.push(`${label.padEnd(LABEL)}${cells.map((c) => c.padStart(COLUMN)).join('')}`.trimEnd());
  const countCost = (i: number, v: CountCost | undefined) =>
    v ? `${int(v.count).padStart(7)}${money(i, v.cost).padStart(14)}` : `${'—'.padStart(7)}${'—'.padStart(14)}`;
  const section = (title: string, keys: string[], get: (p: PolicyOutcome) => Record<string, CountCost>) => {
    lines.push('');
    row(
      title,
      ps.map(() => `${'cases'.padStart(7)}${'cost'.padStart(14)}`),
    );
    for (const k of keys)
      row(
        `  ${k}`,
        ps.map((p, i) => countCost(i, get(p)[k])),
      );
  };
  // Keys of every policy, each list's order kept: a key only the second has goes right after its predecessor there.
  const union = (get: (p: PolicyOutcome) => Record<string, unknown>) => {
    const out: string[] = [];
    for (const p of ps) {
      let at = 0;
      for (const k of Object.keys(get(p))) {
        const i = out.indexOf(k);
        if (i >= 0) at = i + 1;
        else out.splice(at++, 0, k);
      }
    }
    return out;
  };

  const p0 = ps[0]!;
  const period =
    report.firstCaseAt && report.lastCaseAt
      ? `${report.firstCaseAt.slice(0, 10)} to ${report.lastCaseAt.slice(0, 10)}`
      : 'no cases in the period';
  lines.push(`Policy simulation, store ${storeId}: ${int(report.cases)} cases, ${period}`);
  lines.push(
    `Revenue ${money(0, p0.revenue.amount)} ${p0.currency} (orders placed in the period).${sameCurrency ? ` Amounts in ${p0.currency}.` : ''}` +
      (report.warmUpCases > 0 ? ` ${int(report.warmUpCases)} earlier cases replayed as background.` : ''),
  );
  lines.push('');
  row(
    '',
    ps.map((p) => (sameCurrency ? p.label : `${p.label} (${p.currency})`)),
  );
  row(
    'Cases',
    ps.map((p) => int(p.cases)),
  );
  const share = (n: number, percent: number) => `${int(n).padStart(7)}${pct(percent).padStart(14)}`;
  row(
    'Auto-issued',
    ps.map((p) => share(p.autoIssued, p.autoIssuedPercent)),
  );
  row(
    'Needs approval (agent)',
    ps.map((p) => share(p.needsApproval, p.needsApprovalPercent)),
  );
  row(
    'Guardrail fired',
    ps.map((p) => share(p.guardrailFired, p.guardrailPercent)),
  );
  row(
    'Total cost (all granted)',
    ps.map((p, i) => money(i, p.totalCost.amount)),
  );
  row(
    '  of which without approval',
    ps.map((p, i) => money(i, p.givenCost.amount)),
  );
  row(
    'Cost % of revenue',
    ps.map((p) => (p.costPercentOfRevenue === null ? '—' : `${p.costPercentOfRevenue.toFixed(2)} %`)),
  );
  if (ps.some((p) => p.otherCurrencyCases > 0))
    row(
      'Offers in another currency',
      ps.map((p) => int(p.otherCurrencyCases)),
    );

  section(
    'By customer tier',
    union((p) => p.byTier),
    (p) => p.byTier,
  );
  section(
    'By offer kind',
    union((p) => p.byOfferKind),
    (p) => p.byOfferKind,
  );
  section(
    'By matrix rule',
    union((p) => p.byRule),
    (p) => p.byRule,
  );
  lines.push('');
  row(
    'Policy guardrails',
    ps.map(() => 'cases'),
  );
  for (const g of union((p) => p.byGuardrail))
    row(
      `  ${g}`,
      ps.map((p) => int(p.byGuardrail[g as keyof PolicyOutcome['byGuardrail']] ?? 0)),
    );
  return lines.join('\n');
}
