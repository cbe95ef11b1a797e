import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { getStore } from '../stores/stores.service.ts';
import type { AmendsEvent } from './envelope.ts';
import type { EventIngestor, EventSource } from './ingest.ts';
import { validateBatch } from './ingest.ts';

export interface ImportSummary {
  imported: number;
  duplicates: number;
  rejected: number;
}

export interface Rejection {
  line: number;
  reason: string;
}

/**
 * Reads JSON Lines and ingests them through the same ingest path as the API.
 * Unlike an API batch, a bad line does not stop the import: it is reported
 * with its line number and the rest goes in. Blank lines are skipped.
 */
export async function importEvents(
  db: Kysely<DB>,
  ingestor: EventIngestor,
  input: Readable,
  opts: {
    /** Store for lines without a `store` field; lines naming another store are rejected. */
    store?: string | undefined;
    source?: EventSource;
    chunkSize?: number;
    onReject?: (r: Rejection) => void;
    onProgress?: (bytesRead: number, summary: ImportSummary) => void;
  },
): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, duplicates: 0, rejected: 0 };
  const chunkSize = opts.chunkSize ?? 500;
  const knownStores = new Map<string, boolean>();
  const pending = new Map<string, AmendsEvent[]>();
  let bytes = 0;

  const reject = (line: number, reason: string) => {
    summary.rejected++;
    opts.onReject?.({ line, reason });
  };
  const flush = async (storeId: string) => {
    const events = pending.get(storeId);
    if (!events || events.length === 0) return;
    pending.set(storeId, []);
    const results = await ingestor.ingest(storeId, events, opts.source ?? 'import');
    for (const r of results) {
      if (r.status === 'accepted') summary.imported++;
      else summary.duplicates++;
    }
  };
  const storeExists = async (id: string) => {
    if (!knownStores.has(id)) knownStores.set(id, (await getStore(db, id)) !== undefined);
    return knownStores.get(id)!;
  };

  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      reject(lineNo, `not JSON: ${(err as Error).message}`);
      continue;
    }
    const named =
      typeof raw === 'object' && raw !== null && typeof (raw as { store?: unknown }).store === 'string'
        ? (raw as { store: string }).store
        : undefined;
    const storeId = opts.store ?? named;
    if (!storeId) {
      reject(lineNo, 'store: no store on the event and no --store given');
      continue;
    }
    if (!(await storeExists(storeId))) {
      reject(lineNo, `store: no store ${storeId}`);
      continue;
    }
    const v = validateBatch([raw], storeId);
    if (!v.ok) {
      reject(lineNo, v.errors.map((e) => `${e.path || '(event)'}: ${e.message}`).join('; '));
      continue;
    }
    const list = pending.get(storeId) ?? [];
    list.push(...v.events);
    pending.set(storeId, list);
    if (list.length >= chunkSize) {
      await flush(storeId);
      opts.onProgress?.(bytes, summary);
    }
  }
  for (const storeId of pending.keys()) await flush(storeId);
  opts.onProgress?.(bytes, summary);
  return summary;
}
