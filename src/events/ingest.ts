import { type Kysely, sql } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB } from '../platform/db/schema.ts';
import { type AmendsEvent, eventSubjects, type FieldError, parseEvent } from './envelope.ts';
import { GroupCommitter } from './group-commit.ts';
import { projectEvent } from './projections.ts';

/** Where an event came in: kept on the ledger row. */
export type EventSource =
  | 'api'
  | 'import'
  | 'demo'
  | 'replay'
  | 'shopify'
  | 'email'
  | 'portal'
  | 'chat'
  | 'community'
  | 'compensation'
  | 'survey';

export interface IngestedEvent {
  id: string;
  status: 'accepted' | 'duplicate';
  /** Position in the store's ledger; present when accepted. */
  seq?: number;
}

export interface IngestCounters {
  onAccepted?(type: string): void;
  onDuplicate?(type: string): void;
}

interface Unit {
  storeId: string;
  source: EventSource;
  events: AmendsEvent[];
}

export type ValidationResult = { ok: true; events: AmendsEvent[] } | { ok: false; errors: FieldError[] };

/** Validates a whole batch; any error fails the batch, so nothing of it is written. */
export function validateBatch(raw: readonly unknown[], storeId: string): ValidationResult {
  const events: AmendsEvent[] = [];
  const errors: FieldError[] = [];
  raw.forEach((r, index) => {
    const parsed = parseEvent(r, index);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      return;
    }
    if (parsed.event.store !== undefined && parsed.event.store !== storeId) {
      errors.push({
        index,
        path: 'store',
        message: `event is for store ${parsed.event.store}, but this token belongs to store ${storeId}`,
      });
      return;
    }
    events.push(parsed.event);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}

/**
 * The one ingest function every entry path calls (API, import, replay, demo,
 * and later the channels). Events are appended to the ledger, idempotent by
 * (store, id), and projected in the same transaction; concurrent callers share
 * transactions through group commit. Resolves only after commit.
 */
/** Runs after an accepted event is projected, in the same transaction (proactive monitors). */
export type AfterProjection = (tx: Kysely<DB>, storeId: string, event: AmendsEvent) => Promise<void>;

export class EventIngestor {
  private readonly committer: GroupCommitter<Unit, IngestedEvent[]>;
  afterProjection: AfterProjection | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    opts: { maxWaitMs: number; maxEvents: number },
    private readonly counters: IngestCounters = {},
  ) {
    this.committer = new GroupCommitter((units) => this.commit(units), {
      maxWaitMs: opts.maxWaitMs,
      maxWeight: opts.maxEvents,
      weight: (u) => u.events.length,
      // Durable before anyone is told; the fsync runs off the main thread while the next group commits.
      durable: () => database.flush(),
    });
  }

  /** Events must be validated (validateBatch) and belong to `storeId`. */
  async ingest(storeId: string, events: AmendsEvent[], source: EventSource): Promise<IngestedEvent[]> {
    if (events.length === 0) return [];
    const results = await this.committer.submit({ storeId, source, events });
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const type = events[i]!.type;
      if (r.status === 'accepted') this.counters.onAccepted?.(type);
      else this.counters.onDuplicate?.(type);
    }
    return results;
  }

  /**
   * Replay's way in: events applied one at a time, in order, in one transaction
   * of their own (no group commit, no fsync: the caller flushes at the end).
   * `before` runs ahead of each event (replay sets its clock to the event's
   * time); after each, `stopAfter` may end the transaction there (a timer has
   * fallen due before the next event). Returns how many events were applied.
   */
  async ingestInOrder(
    storeId: string,
    events: readonly AmendsEvent[],
    source: EventSource,
    hooks: { before(event: AmendsEvent): void; stopAfter(index: number, tx: Kysely<DB>): boolean | Promise<boolean> },
  ): Promise<{ applied: number; accepted: number }> {
    return this.database.db.transaction().execute(async (trx) => {
      if (this.database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`amends.ingest:${storeId}`}))`.execute(trx);
      }
      let applied = 0;
      let accepted = 0;
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        hooks.before(event);
        const { customerId, orderId } = eventSubjects(event);
        const { rows } = await sql<{ seq: number }>`
          insert into events (store_id, id, type, occurred_at, received_at, source, customer_id, order_id, data)
          values (${storeId}, ${event.id}, ${event.type}, ${event.occurredAt}, ${this.clock.now().toISOString()}, ${source},
            ${customerId}, ${orderId}, ${JSON.stringify(event.data)})
          on conflict (store_id, id) do nothing
          returning seq`.execute(trx);
        applied++;
        if (rows.length > 0) {
          accepted++;
          await projectEvent(trx, this.clock, storeId, event);
          if (this.afterProjection) await this.afterProjection(trx, storeId, event);
          this.counters.onAccepted?.(event.type);
        } else {
          this.counters.onDuplicate?.(event.type);
        }
        if (await hooks.stopAfter(i, trx)) break;
      }
      return { applied, accepted };
    });
  }

  /** Waits for every submitted event to be committed: for shutdown. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  private async commit(units: Unit[]): Promise<IngestedEvent[][]> {
    const receivedAt = this.clock.now().toISOString();
    return this.database.db.transaction().execute(async (trx) => {
      if (this.database.dialect === 'postgres') {
        // Several processes may ingest at once on PostgreSQL. A store's ingest transactions take turns, so its
        // events commit in `seq` order (a reader paging with `after` never skips one) and each projection sees
        // the one before (one case per complaint, one customer per e-mail). Sorted, so two groups cannot deadlock.
        for (const storeId of [...new Set(units.map((u) => u.storeId))].sort()) {
          await sql`select pg_advisory_xact_lock(hashtext(${`amends.ingest:${storeId}`}))`.execute(trx);
        }
      }
      // The first occurrence of an id in the group is the one that may be new; later ones are duplicates.
      const seen = new Set<string>();
      const candidates: { unit: Unit; event: AmendsEvent; u: number; i: number }[] = [];
      const out: IngestedEvent[][] = units.map((unit, u) =>
        unit.events.map((event, i) => {
          const key = `${unit.storeId}\u0000${event.id}`;
          if (!seen.has(key)) {
            seen.add(key);
            candidates.push({ unit, event, u, i });
          }
          return { id: event.id, status: 'duplicate' as const };
        }),
      );
      const inserted = await this.appendAll(trx, candidates, receivedAt);
      for (const c of candidates) {
        const seq = inserted.get(`${c.unit.storeId}\u0000${c.event.id}`);
        if (seq === undefined) continue;
        await projectEvent(trx, this.clock, c.unit.storeId, c.event);
        if (this.afterProjection) await this.afterProjection(trx, c.unit.storeId, c.event);
        out[c.u]![c.i] = { id: c.event.id, status: 'accepted', seq };
      }
      return out;
    });
  }

  /** Appends to the ledger in multi-row statements; answers the seq of each row that was new. */
  private async appendAll(
    trx: Kysely<DB>,
    candidates: { unit: Unit; event: AmendsEvent }[],
    receivedAt: string,
  ): Promise<Map<string, number>> {
    const inserted = new Map<string, number>();
    for (let start = 0; start < candidates.length; start += LEDGER_ROWS_PER_STATEMENT) {
      const rows = candidates.slice(start, start + LEDGER_ROWS_PER_STATEMENT).map(({ unit, event }) => {
        const { customerId, orderId } = eventSubjects(event);
        return {
          store_id: unit.storeId,
          id: event.id,
          type: event.type,
          occurred_at: event.occurredAt,
          received_at: receivedAt,
          source: unit.source,
          customer_id: customerId,
          order_id: orderId,
          data: JSON.stringify(event.data),
        };
      });
      const returned = await trx
        .insertInto('events')
        .values(rows)
        .onConflict((oc) => oc.columns(['store_id', 'id']).doNothing())
        .returning(['store_id', 'id', 'seq'])
        .execute();
      for (const r of returned) inserted.set(`${r.store_id}\u0000${r.id}`, Number(r.seq));
    }
    return inserted;
  }
}

/** 9 parameters a row: well under SQLite's and PostgreSQL's limits on bound parameters per statement. */
const LEDGER_ROWS_PER_STATEMENT = 500;
