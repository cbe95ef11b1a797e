/**
 * Charts for `amends report`, drawn as inline SVG strings on the server: no script is needed to view them, and the
 * report stays one self-contained file. Pure: data in, markup out. Every text that reaches the markup goes through
 * `escapeXml` (labels come from the store's data: SKUs, carrier and region names). Each chart is an `<svg
 * role="img">` with a `<title>` and an `aria-label` that says what it shows in words.
 *
 * - `lineChart`: one or more series over the same x labels (the daily trend); gaps (null) break the line.
 * - `paretoChart`: bars (counts, sorted as given) and the cumulative share as a line on a 0–100 % right axis.
 * - `intervalChart`: one bar per cohort (a rate 0–1) with its 95 % interval drawn as an error bar, and n under it.
 * Bar heights are proportional to the values (the axis starts at 0).
 */

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A coordinate with at most two decimals (smaller markup, stable in tests). */
const n = (x: number): string => String(Math.round(x * 100) / 100);

export const chartColors = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599'];

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function open(title: string, summary: string, f: Frame): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ` +
    `aria-label="${escapeXml(summary)}" font-family="system-ui, sans-serif" font-size="11"><title>${escapeXml(title)}</title>`
  );
}

/** A "nice" top for an axis: 1, 2, 2.5 or 5 × 10^k at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

function yAxis(f: Frame, top: number, format: (v: number) => string, side: 'left' | 'right' = 'left'): string {
  const plotH = f.height - f.top - f.bottom;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    const y = f.top + plotH - (plotH * i) / 4;
    if (side === 'left')
      parts.push(
        `<line x1="${f.left}" x2="${f.width - f.right}" y1="${n(y)}" y2="${n(y)}" stroke="#e9ecef"/>`,
        `<text x="${f.left - 4}" y="${n(y + 4)}" text-anchor="end" fill="#495057">${escapeXml(format(v))}</text>`,
      );
    else parts.push(`<text x="${f.width - f.right + 4}" y="${n(y + 4)}" fill="#495057">${escapeXml(format(v))}</text>`);
  }
  return parts.join('');
}

/** Up to `max` x labels, evenly picked, always the first and the last. */
function xTicks(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < max; i++) out.add(Math.round((i * (count - 1)) / (max - 1)));
  return [...out];
}

const trimLabel = (s: string, max = 14) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
  color?: string;
}

export interface LineChartInput {
  title: string;
  labels: readonly string[];
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  format?: (v: number) => string;
}

export function lineChart(c: LineChartInput): string {
  const f: Frame = { width: c.width ?? 720, height: c.height ?? 240, left: 48, right: 12, top: 12, bottom: 52 };
  const format = c.format ?? ((v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1)));
  const all = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const top = niceMax(Math.max(0, ...all));
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const count = c.labels.length;
  const x = (i: number) => f.left + (count <= 1 ? plotW / 2 : (plotW * i) / (count - 1));
  const y = (v: number) => f.top + plotH - (plotH * Math.max(0, v)) / top;
  const parts = [open(c.title, lineSummary(c), f), yAxis(f, top, format)];
  for (const i of xTicks(count, 8))
    parts.push(
      `<text x="${n(x(i))}" y="${f.height - f.bottom + 14}" text-anchor="middle" fill="#495057">${escapeXml(trimLabel(c.labels[i] ?? ''))}</text>`,
    );
  c.series.forEach((s, si) => {
    const color = s.color ?? chartColors[si % chartColors.length]!;
    // A null breaks the line: one path segment per run of known values.
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${n(x(i))} ${n(y(v))}`;
      pen = true;
    });
    if (d) parts.push(`<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>`);
    const lx = f.left + si * 150;
    parts.push(
      `<rect x="${lx}" y="${f.height - 18}" width="10" height="10" fill="${color}"/>`,
      `<text x="${lx + 14}" y="${f.height - 9}" fill="#212529">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function lineSummary(c: LineChartInput): string {
  const range = c.labels.length ? `${c.labels[0]} to ${c.labels.at(-1)}` : 'no data';
  const per = c.series
    .map((s) => {
      const known = s.values.filter((v): v is number => v !== null);
      return `${s.name}: ${known.length ? `min ${Math.min(...known)}, max ${Math.max(...known)}` : 'no values'}`;
    })
    .join('; ');
  return `Line chart, ${c.title}, ${range}. ${per}.`;
}

export interface ParetoRow {
  label: string;
  count: number;
  /** 0–1, after this row. */
  cumulativeShare: number;
}

export interface ParetoChartInput {
  title: string;
  rows: readonly ParetoRow[];
  width?: number;
  height?: number;
  /** Rows drawn at most (the rest are in the table). */
  limit?: number;
}

export function paretoChart(c: ParetoChartInput): string {
  const rows = c.rows.slice(0, c.limit ?? 12);
  const f: Frame = { width: c.width ?? 720, height: c.height ?? 260, left: 48, right: 44, top: 12, bottom: 64 };
  const top = niceMax(Math.max(0, ...rows.map((r) => r.count)));
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const slot = rows.length ? plotW / rows.length : plotW;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const summary = `Pareto chart, ${c.title}: ${rows.map((r) => `${r.label} ${r.count} (cumulative ${Math.round(r.cumulativeShare * 100)} %)`).join(', ') || 'no failures'}.`;
  const parts = [
    open(c.title, summary, f),
    yAxis(f, top, (v) => String(Math.round(v))),
    yAxis(f, 1, (v) => `${Math.round(v * 100)} %`, 'right'),
  ];
  let line = '';
  rows.forEach((r, i) => {
    const cx = f.left + slot * i + slot / 2;
    const h = (plotH * Math.max(0, r.count)) / top;
    parts.push(
      `<rect class="bar" x="${n(cx - barW / 2)}" y="${n(f.top + plotH - h)}" width="${n(barW)}" height="${n(h)}" fill="${chartColors[0]}"><title>${escapeXml(`${r.label}: ${r.count}`)}</title></rect>`,
      `<text x="${n(cx)}" y="${f.height - f.bottom + 12}" text-anchor="end" transform="rotate(-35 ${n(cx)} ${f.height - f.bottom + 12})" fill="#495057">${escapeXml(trimLabel(r.label))}</text>`,
    );
    const cy = f.top + plotH - plotH * Math.min(1, Math.max(0, r.cumulativeShare));
    line += `${i === 0 ? 'M' : 'L'}${n(cx)} ${n(cy)}`;
  });
  if (line)
    parts.push(
      `<path class="cumulative" d="${line}" fill="none" stroke="${chartColors[1]}" stroke-width="2"/>`,
      ...rows.map((r, i) => {
        const cx = f.left + slot * i + slot / 2;
        const cy = f.top + plotH - plotH * Math.min(1, Math.max(0, r.cumulativeShare));
        return `<circle cx="${n(cx)}" cy="${n(cy)}" r="3" fill="${chartColors[1]}"/>`;
      }),
    );
  parts.push('</svg>');
  return parts.join('');
}

export interface IntervalRow {
  label: string;
  /** 0–1, or null when the cohort is empty. */
  rate: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

export interface IntervalChartInput {
  title: string;
  rows: readonly IntervalRow[];
  width?: number;
  height?: number;
}

/** Rates as bars on a 0–100 % axis, each with its 95 % interval as an error bar (whisker caps at low and high). */
export function intervalChart(c: IntervalChartInput): string {
  const f: Frame = { width: c.width ?? 480, height: c.height ?? 260, left: 48, right: 12, top: 12, bottom: 56 };
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const slot = c.rows.length ? plotW / c.rows.length : plotW;
  const barW = Math.max(4, Math.min(72, slot * 0.55));
  const y = (v: number) => f.top + plotH - plotH * Math.min(1, Math.max(0, v));
  const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
  const summary = `Bar chart with 95 % intervals, ${c.title}: ${
    c.rows.map((r) => `${r.label} ${pct(r.rate)} (${pct(r.low)} to ${pct(r.high)}, n = ${r.n})`).join('; ') || 'no cohorts'
  }.`;
  const parts = [open(c.title, summary, f), yAxis(f, 1, (v) => `${Math.round(v * 100)} %`)];
  c.rows.forEach((r, i) => {
    const cx = f.left + slot * i + slot / 2;
    if (r.rate !== null) {
      const h = plotH * Math.min(1, Math.max(0, r.rate));
      parts.push(
        `<rect class="bar" x="${n(cx - barW / 2)}" y="${n(f.top + plotH - h)}" width="${n(barW)}" height="${n(h)}" fill="${chartColors[i % chartColors.length]}" fill-opacity="0.75"><title>${escapeXml(`${r.label}: ${pct(r.rate)}`)}</title></rect>`,
      );
    }
    if (r.low !== null && r.high !== null) {
      const cap = barW / 4;
      parts.push(
        `<g class="interval" stroke="#212529" stroke-width="1.5"><title>${escapeXml(`95 % interval ${pct(r.low)} to ${pct(r.high)}`)}</title>` +
          `<line x1="${n(cx)}" x2="${n(cx)}" y1="${n(y(r.high))}" y2="${n(y(r.low))}"/>` +
          `<line x1="${n(cx - cap)}" x2="${n(cx + cap)}" y1="${n(y(r.high))}" y2="${n(y(r.high))}"/>` +
          `<line x1="${n(cx - cap)}" x2="${n(cx + cap)}" y1="${n(y(r.low))}" y2="${n(y(r.low))}"/></g>`,
      );
    }
    parts.push(
      `<text x="${n(cx)}" y="${f.height - f.bottom + 16}" text-anchor="middle" fill="#212529">${escapeXml(trimLabel(r.label, 22))}</text>`,
      `<text x="${n(cx)}" y="${f.height - f.bottom + 30}" text-anchor="middle" fill="#495057">${escapeXml(`${pct(r.rate)}, n = ${r.n}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
