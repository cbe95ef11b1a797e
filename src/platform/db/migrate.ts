import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Database, Dialect } from './database.ts';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-triage-sla.ts';
import * as m0003 from './migrations/0003-policy-compensation.ts';
import * as m0004 from './migrations/0004-jobs.ts';
import * as m0005 from './migrations/0005-proactive.ts';
import * as m0006 from './migrations/0006-channels.ts';
import * as m0007 from './migrations/0007-console-auth.ts';
import * as m0008 from './migrations/0008-console-settings.ts';
import * as m0009 from './migrations/0009-customer-side.ts';
import * as m0010 from './migrations/0010-analytics.ts';
import * as m0011 from './migrations/0011-playbooks.ts';
import * as m0012 from './migrations/0012-root-cause.ts';

interface MigrationModule {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Ordered by name; the same list serves SQLite and PostgreSQL. Append only. */
const migrations: Record<string, MigrationModule> = {
  '0001-foundation': m0001,
  '0002-triage-sla': m0002,
  '0003-policy-compensation': m0003,
  '0004-jobs': m0004,
  '0005-proactive': m0005,
  '0006-channels': m0006,
  '0007-console-auth': m0007,
  '0008-console-settings': m0008,
  '0009-customer-side': m0009,
  '0010-analytics': m0010,
  '0011-playbooks': m0011,
  '0012-root-cause': m0012,
};

export async function migrateToLatest(database: Database): Promise<string[]> {
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(migrations)) {
        out[name] = { up: (db) => mod.up(db, database.dialect) };
      }
      return out;
    },
  };
  const migrator = new Migrator({ db: database.db, provider });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
