import fs from 'node:fs';
import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';

export function importCommand(): Command {
  return new Command('import')
    .description(
      'Import events from a JSON Lines file (or - for standard input) through the same ingest path as the API. Exits 1 if any line was rejected.',
    )
    .argument('<file>', 'a .jsonl file, one event per line, or - for stdin')
    .option('--store <id>', 'store for events without a `store` field (events naming another store are rejected)')
    .action(async (file: string, o: { store?: string }) => {
      const input = file === '-' ? process.stdin : fs.createReadStream(file);
      const total = file === '-' ? 0 : fs.statSync(file).size;
      // A progress bar only on a terminal; rejected lines print above it.
      const bars =
        process.stderr.isTTY && total > 0
          ? new MultiBar(
              {
                format: 'importing [{bar}] {percentage}% | {imported} imported, {duplicates} duplicates, {rejected} rejected',
                stream: process.stderr,
              },
              Presets.shades_classic,
            )
          : undefined;
      const bar = bars?.create(total, 0, { imported: 0, duplicates: 0, rejected: 0 });
      const [{ importEvents }, { EventIngestor }, { systemClock }, { withDatabase }, { createJobQueue }, { Proactive }] = await Promise.all(
        [
          import('../events/import-events.ts'),
          import('../events/ingest.ts'),
          import('../platform/clock.ts'),
          import('./with-database.ts'),
          import('../platform/jobs/create-queue.ts'),
          import('../proactive/proactive.ts'),
        ],
      );
      const summary = await withDatabase(async (database, config) => {
        const ingestor = new EventIngestor(database, systemClock, { maxWaitMs: 0, maxEvents: config.groupCommitMaxEvents });
        // The same path as the API: monitors look at each event (history is recognised and left alone; an open order
        // gets its lateness timer), and the timers they set are worked by `serve` or `amends worker`.
        const jobs = createJobQueue(database, systemClock, {
          ...(config.jobs ? { driver: config.jobs } : {}),
          pgBoss: { maintenance: false },
        });
        const proactive = new Proactive(database, systemClock, jobs);
        ingestor.afterProjection = (tx, storeId, event) => proactive.onEvent(tx, storeId, event);
        try {
          return await importEvents(database.db, ingestor, input, {
            store: o.store,
            onReject: (r) => {
              const text = `line ${r.line}: ${r.reason}\n`;
              if (bars) bars.log(text);
              else process.stderr.write(text);
            },
            onProgress: (bytes, s) => bar?.update(Math.min(bytes, total), { ...s }),
          });
        } finally {
          await jobs.stop();
        }
      });
      bars?.stop();
      process.stdout.write(`imported ${summary.imported}, duplicates ${summary.duplicates}, rejected ${summary.rejected}\n`);
      if (summary.rejected > 0) process.exitCode = 1;
    });
}
