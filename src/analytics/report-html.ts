/**
 * The HTML of `amends report`: one self-contained file (inline CSS, inline SVG charts from report-charts.ts, no
 * script, no external resource), readable offline and printable. Pure: a `ReportView` in, a string out; every text
 * from the data goes through `escapeXml`. `report-data.ts` turns the analytics services' answers into the view.
 */
import { escapeXml as esc, intervalChart, lineChart, paretoChart } from './report-charts.ts';

export interface ReportTile {
  label: string;
  value: string;
  detail?: string | undefined;
}

export interface ReportCohort {
  label: string;
  n: number;
  repurchased: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

export interface ReportCohortSet {
  title: string;
  cohorts: ReportCohort[];
  verdict: string;
}

export interface ReportTable {
  title: string;
  header: string[];
  rows: (string | number)[][];
  /** Right-aligned columns (numbers). */
  numeric?: number[];
  empty?: string;
}

export interface ReportView {
  storeName: string;
  storeId: string;
  currency: string;
  from: string;
  to: string;
  generatedAt: string;
  tiles: ReportTile[];
  trend: { labels: string[]; series: { name: string; values: (number | null)[] }[] }[];
  pareto: { by: string; title: string; rows: { label: string; count: number; share: number; cumulativeShare: number }[]; note?: string }[];
  paradox: { windowDays: number; main: ReportCohortSet; splits: ReportCohortSet[]; note?: string } | null;
  tables: ReportTable[];
  /** Sections the data could not be had for, and why. */
  missing: string[];
}

const css = `
:root{color-scheme:light;--fg:#212529;--dim:#495057;--line:#dee2e6;--accent:#1c7ed6}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;background:#f8f9fa}
main{max-width:980px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.7rem;margin:0 0 4px}h2{font-size:1.25rem;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1.05rem;margin:20px 0 6px}.dim{color:var(--dim)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:12px 0}
.tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.tile .v{font-size:1.35rem;font-weight:650}.tile .l{font-size:.82rem;color:var(--dim)}.tile .d{font-size:.78rem;color:var(--dim)}
figure{margin:8px 0 16px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px;overflow-x:auto}
figure svg{max-width:100%;height:auto;display:block}figcaption{font-size:.85rem;color:var(--dim);margin-top:4px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}th{background:#f1f3f5}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{background:#e7f5ff;border-left:4px solid var(--accent);padding:8px 12px;margin:8px 0}
.missing{background:#fff9db;border-left:4px solid #f08c00;padding:8px 12px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
@media print{body{background:#fff}figure,.tile{break-inside:avoid}}
`;

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

function table(t: ReportTable): string {
  const num = new Set(t.numeric ?? []);
  const head = t.header.map((h, i) => `<th scope="col"${num.has(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = t.rows.length
    ? t.rows.map((r) => `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="num"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`).join('')
    : `<tr><td colspan="${t.header.length}" class="dim">${esc(t.empty ?? 'Nothing in this period.')}</td></tr>`;
  return `<h3>${esc(t.title)}</h3><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function cohortSet(s: ReportCohortSet, windowDays: number, main: boolean): string {
  const chart = intervalChart({
    title: `${s.title}: repurchase within ${windowDays} days`,
    rows: s.cohorts.map((c) => ({ label: c.label, rate: c.rate, low: c.low, high: c.high, n: c.n })),
    width: main ? 560 : 420,
    height: main ? 280 : 240,
  });
  const rows = s.cohorts.map((c) => [c.label, c.n, c.repurchased, pct(c.rate), c.low === null ? '—' : `${pct(c.low)} – ${pct(c.high)}`]);
  return (
    `<section><h3>${esc(s.title)}</h3><figure>${chart}<figcaption>Bars: repurchase rate; whiskers: Wilson 95 % interval.</figcaption></figure>` +
    `<p class="verdict">${esc(s.verdict)}</p>` +
    table({
      title: `${s.title}: the numbers`,
      header: ['Cohort', 'Customers', 'Repurchased', 'Rate', '95 % interval'],
      rows,
      numeric: [1, 2, 3],
    }) +
    '</section>'
  );
}

export function renderReportHtml(v: ReportView): string {
  const parts: string[] = [];
  parts.push(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing to load: no script at all, images only inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(`Amends report: ${v.storeName}, ${v.from} to ${v.to}`)}</title><style>${css}</style></head><body><main>`,
    `<h1>${esc(v.storeName)}: service recovery report</h1>`,
    `<p class="dim">Store <code>${esc(v.storeId)}</code> · ${esc(v.from)} to ${esc(v.to)} · amounts in ${esc(v.currency)} · generated ${esc(v.generatedAt)}</p>`,
  );
  if (v.missing.length)
    parts.push(
      `<div class="missing"><strong>Not in this report:</strong><ul>${v.missing.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></div>`,
    );

  parts.push('<h2 id="kpis">Key figures</h2>');
  parts.push(
    v.tiles.length
      ? `<div class="tiles">${v.tiles
          .map(
            (t) =>
              `<div class="tile"><div class="l">${esc(t.label)}</div><div class="v">${esc(t.value)}</div>${t.detail ? `<div class="d">${esc(t.detail)}</div>` : ''}</div>`,
          )
          .join('')}</div>`
      : '<p class="dim">No figures for this period.</p>',
  );
  for (const t of v.trend) {
    const title = `${t.series.map((s) => s.name).join(', ')} per day`;
    parts.push(`<figure>${lineChart({ title, labels: t.labels, series: t.series })}<figcaption>${esc(title)}</figcaption></figure>`);
  }

  if (v.paradox) {
    parts.push(`<h2 id="paradox">The recovery paradox: do recovered customers come back?</h2>`);
    parts.push(
      `<p class="dim">Repurchase within ${v.paradox.windowDays} days of the failure (or a matched reference date for customers who never failed).</p>`,
    );
    if (v.paradox.note) parts.push(`<p class="dim">${esc(v.paradox.note)}</p>`);
    parts.push(cohortSet(v.paradox.main, v.paradox.windowDays, true));
    if (v.paradox.splits.length)
      parts.push(`<div class="grid2">${v.paradox.splits.map((s) => cohortSet(s, v.paradox!.windowDays, false)).join('')}</div>`);
  }

  if (v.pareto.length) {
    parts.push('<h2 id="root-cause">Root cause: where failures come from</h2>');
    for (const p of v.pareto) {
      parts.push(
        `<section><h3>${esc(p.title)}</h3><figure>${paretoChart({ title: p.title, rows: p.rows.map((r) => ({ label: r.label, count: r.count, cumulativeShare: r.cumulativeShare })) })}` +
          `<figcaption>Bars: failures; line: cumulative share (right axis).${p.note ? ` ${esc(p.note)}` : ''}</figcaption></figure>`,
        table({
          title: `${p.title}: the numbers`,
          header: [p.by, 'Failures', 'Share', 'Cumulative'],
          rows: p.rows.map((r) => [r.label, r.count, pct(r.share), pct(r.cumulativeShare)]),
          numeric: [1, 2, 3],
        }),
        '</section>',
      );
    }
  }
  if (v.tables.length) {
    parts.push('<h2 id="tables">Weak spots and recurring issues</h2>');
    for (const t of v.tables) parts.push(table(t));
  }
  parts.push('</main></body></html>\n');
  return parts.join('\n');
}
