import fs from 'node:fs';
import { Command } from 'commander';
import { loadPolicyFile } from './policy-file.ts';

interface ReplayCliOptions {
  db?: string;
  policy?: string;
  timezone?: string;
  until?: string;
  report?: string;
  format: string;
}

/** `amends replay FILE.jsonl`: the whole system on event time, and a report of what it did. */
export function replayCommand(): Command {
  return new Command('replay')
    .description(
      'Run Amends on event time over a JSONL file of events: the clock advances to each event, timers (promised delivery dates, ' +
        'stalled parcels, payment grace, waiting messages) fire at their due instants in order, and monitors, cases, messages and ' +
        'automatic remedies happen as they would have live. Uses a fresh temporary database unless --db is given. ' +
        'Prints a report (events, customers, orders, incidents, cases by source and kind, messages, offers and their cost, ' +
        'time from failure to first message).',
    )
    .argument('<file>', 'events, one JSON envelope per line (sorted by occurredAt if they are not)')
    .option('--db <path>', 'replay into this database (a SQLite path or postgres:// URL) and keep it')
    .option('--policy <file>', 'activate this policy file first')
    .option('--timezone <tz>', "the store's timezone when the replay creates the store (IANA, e.g. Europe/Madrid)", 'UTC')
    .option('--until <time>', 'keep the clock running after the last event up to this ISO time (timers due by then fire)')
    .option('--report <out.json>', 'also write the report as JSON to this file')
    .option('--format <format>', 'table or json on stdout', 'table')
    .action(async (file: string, o: ReplayCliOptions) => {
      if (o.format !== 'table' && o.format !== 'json') throw new Error(`--format must be table or json, not "${o.format}"`);
      if (!fs.existsSync(file)) throw new Error(`cannot read ${file}: no such file`);
      if (o.until !== undefined && Number.isNaN(Date.parse(o.until))) throw new Error(`--until must be an ISO time, not "${o.until}"`);
      const { IANAZone } = await import('luxon');
      if (o.timezone && !IANAZone.isValidZone(o.timezone)) throw new Error(`--timezone: unknown timezone "${o.timezone}"`);
      let policySource: string | undefined;
      if (o.policy) {
        const loaded = await loadPolicyFile(o.policy);
        if (!loaded) return;
        policySource = loaded.source;
      }
      const { runReplay } = await import('../proactive/replay.ts');
      const { SingleBar, Presets } = await import('cli-progress');
      const bar = process.stderr.isTTY
        ? new SingleBar(
            { format: 'replay [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left', etaBuffer: 50 },
            Presets.shades_classic,
          )
        : null;
      let barStarted = false;
      const report = await runReplay({
        file,
        db: o.db,
        policySource,
        timezone: o.timezone,
        until: o.until,
        onProgress: (done, total) => {
          if (!bar) return;
          if (!barStarted) {
            bar.start(total, 0);
            barStarted = true;
          }
          bar.update(done);
        },
      });
      bar?.stop();
      if (o.report) fs.writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    });
}

type Report = Awaited<ReturnType<typeof import('../proactive/replay.ts').runReplay>>;

function formatReport(r: Report): string {
  const rows: [string, string][] = [
    ['store', r.store],
    ['events', `${r.events}${r.duplicates ? ` (+${r.duplicates} duplicates)` : ''}`],
    ['from … to', `${r.firstEventAt ?? '-'} … ${r.lastEventAt ?? '-'}`],
    ['customers', String(r.customers)],
    ['orders', String(r.orders)],
    ['incidents', String(r.incidents)],
    ['cases', `${r.cases.total} (${r.cases.proactive} proactive, ${r.cases.reactive} reactive)`],
    ...Object.entries(r.cases.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]): [string, string] => [`  ${k}`, String(n)]),
    ['messages to customers', String(r.messages)],
    ['offers', `${r.offers.count} (${r.offers.auto} automatic)`],
    ...Object.entries(r.offers.cost).map(([cur, minor]): [string, string] => [`  cost ${cur}`, `${minor} (minor units)`]),
    [
      'failure → first message',
      r.timeToFirstMessageSeconds.cases === 0
        ? '-'
        : `p50 ${fmtSeconds(r.timeToFirstMessageSeconds.p50)}, p90 ${fmtSeconds(r.timeToFirstMessageSeconds.p90)}, p99 ${fmtSeconds(r.timeToFirstMessageSeconds.p99)} (${r.timeToFirstMessageSeconds.cases} cases)`,
    ],
    ['timers run', String(r.jobsRun)],
    ['took', `${r.wallSeconds} s (${r.eventsPerSecond} events/s)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

function fmtSeconds(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}
