/**
 * Root cause (issue 9), the pure part: what a failure is attributed to, and the Pareto of failures.
 *
 * A failure is a case. Its values per dimension:
 * - kind: the case's triaged kind (`unknown` before triage);
 * - cause: where the failure came from, most specific first: a proactive monitor that found it
 *   (`monitor:<name>`, e.g. `monitor:shipment_late`, from the case's incident); else the order fact that decided its
 *   triage (`order:<fact>`, e.g. `order:shipment_late`, the kind's `context.*` evidence); else only the customer's
 *   words (`reported:<kind>`);
 * - carrier, region: of the order's shipments (a failure on an order shipped in two parcels counts for each
 *   distinct carrier / region);
 * - sku: of the order's items (each distinct SKU once).
 * A failure with no value for a dimension (no order, no shipment) is counted as `unattributed` for it and left out
 * of that dimension's rows, so shares are of the attributed failures.
 */
import type { RecurringDimension } from './recurring.ts';

export type ParetoDimension = RecurringDimension;

export interface FailureFacts {
  id: string;
  /** When the case opened (ISO UTC). */
  at: string;
  kind: string;
  cause: string;
  carriers: string[];
  regions: string[];
  skus: string[];
}

export function valuesOf(f: FailureFacts, dimension: ParetoDimension): readonly string[] {
  switch (dimension) {
    case 'kind':
      return [f.kind];
    case 'cause':
      return [f.cause];
    case 'carrier':
      return f.carriers;
    case 'region':
      return f.regions;
    case 'sku':
      return f.skus;
  }
}

/** The cause of a case (see the file's note) from its incident's monitor and its triage JSON. */
export function causeOf(c: { kind: string | null; monitor: string | null; triage: string | null }): string {
  if (c.monitor) return `monitor:${c.monitor}`;
  if (c.triage) {
    try {
      const t = JSON.parse(c.triage) as { kind?: { evidence?: { rule?: unknown }[] } };
      const rule = t.kind?.evidence?.map((e) => e.rule).find((r): r is string => typeof r === 'string' && r.startsWith('context.'));
      if (rule) return `order:${rule.slice('context.'.length)}`;
    } catch {
      // unreadable triage: fall through to the customer's words
    }
  }
  return `reported:${c.kind ?? 'unknown'}`;
}

/** Distinct, non-empty SKUs of an order's items JSON. */
export function skusOf(itemsJson: string | null): string[] {
  if (!itemsJson) return [];
  try {
    const items = JSON.parse(itemsJson) as unknown;
    if (!Array.isArray(items)) return [];
    const out = new Set<string>();
    for (const it of items) {
      const sku = (it as { sku?: unknown } | null)?.sku;
      if (typeof sku === 'string' && sku.length > 0) out.add(sku);
    }
    return [...out].sort();
  } catch {
    return [];
  }
}

export interface ParetoRow {
  value: string;
  count: number;
  /** count / the sum of all rows' counts, 0..1. */
  share: number;
  /** This row's share plus every row above it: reaches 1 on the last row. */
  cumulativeShare: number;
}

export interface Pareto {
  by: ParetoDimension;
  /** Failures in the period. */
  failures: number;
  /** Failures with no value for this dimension (no order, no shipment…). */
  unattributed: number;
  /** The sum of the rows' counts (more than `failures − unattributed` when a failure has several values). */
  attributed: number;
  rows: ParetoRow[];
}

/** Counts per value, sorted by count (then value), with shares and cumulative shares. */
export function pareto(failures: readonly FailureFacts[], by: ParetoDimension): Pareto {
  const counts = new Map<string, number>();
  let unattributed = 0;
  for (const f of failures) {
    const values = new Set(valuesOf(f, by));
    if (values.size === 0) unattributed++;
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const attributed = sorted.reduce((s, [, n]) => s + n, 0);
  let running = 0;
  const rows = sorted.map(([value, count]) => {
    running += count;
    return { value, count, share: count / attributed, cumulativeShare: running / attributed };
  });
  return { by, failures: failures.length, unattributed, attributed, rows };
}

/** RFC 4180 CSV: a header and rows; fields with a comma, quote or line break are quoted. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const field = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    // A leading = + - @ would be a formula in a spreadsheet: prefix a quote so it stays text.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export function paretoCsv(p: Pareto): string {
  return toCsv(
    [p.by, 'count', 'share', 'cumulative_share'],
    p.rows.map((r) => [r.value, r.count, r.share.toFixed(4), r.cumulativeShare.toFixed(4)]),
  );
}
