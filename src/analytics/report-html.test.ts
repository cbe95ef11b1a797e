import { describe, expect, it } from 'vitest';
import { duration } from './report-data.ts';
import { type ReportView, renderReportHtml } from './report-html.ts';

const evil = '<img src=x onerror=alert(1)>';

function view(over: Partial<ReportView> = {}): ReportView {
  return {
    storeName: `Acme ${evil}`,
    storeId: 'acme',
    currency: 'USD',
    from: '2026-01-01',
    to: '2026-03-31',
    generatedAt: '2026-04-01T00:00:00.000Z',
    tiles: [{ label: 'Cases', value: '12', detail: evil }],
    trend: [{ labels: ['2026-01-01', '2026-01-02'], series: [{ name: 'Cases opened', values: [3, 5] }] }],
    pareto: [
      {
        by: 'carrier',
        title: 'Failures by carrier',
        rows: [
          { label: evil, count: 6, share: 0.6, cumulativeShare: 0.6 },
          { label: 'DHL', count: 4, share: 0.4, cumulativeShare: 1 },
        ],
      },
    ],
    paradox: {
      windowDays: 90,
      main: {
        title: 'All failures',
        cohorts: [
          { label: 'Never failed', n: 100, repurchased: 30, rate: 0.3, low: 0.22, high: 0.4 },
          { label: 'Recovered', n: 40, repurchased: 20, rate: 0.5, low: 0.35, high: 0.65 },
          { label: 'Not recovered', n: 0, repurchased: 0, rate: null, low: null, high: null },
        ],
        verdict: `Too small to tell ${evil}`,
      },
      splits: [],
    },
    tables: [{ title: 'Weak spots', header: ['SKU', 'Orders'], rows: [[evil, 31]], numeric: [1] }],
    missing: [],
    ...over,
  };
}

describe('renderReportHtml', () => {
  const html = renderReportHtml(view());

  it('escapes every text from the data', () => {
    expect(html).not.toContain('<img');
    expect(html.match(/&lt;img src=x onerror=alert\(1\)&gt;/g)!.length).toBeGreaterThanOrEqual(6);
  });

  it('is self-contained: no script, no external resource, a CSP that forbids loading anything', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).toContain(`default-src 'none'`);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('has the charts inline: trend, Pareto, cohorts with intervals, and the verdict', () => {
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('class="cumulative"');
    expect(html.match(/<g class="interval"/g)).toHaveLength(2);
    expect(html).toContain('Too small to tell &lt;img');
    expect(html).toContain('<th scope="col" class="num">Orders</th>');
  });

  it('says so when a period has no figures and no paradox', () => {
    const empty = renderReportHtml(view({ tiles: [], trend: [], pareto: [], paradox: null, tables: [] }));
    expect(empty).toContain('No figures for this period.');
    expect(empty).not.toContain('<svg');
  });
});

describe('duration', () => {
  it('formats minutes as the two largest units', () => {
    expect([duration(null), duration(0.4), duration(45), duration(192), duration(60), duration(3120), duration(2880)]).toEqual([
      '—',
      '<1m',
      '45m',
      '3h 12m',
      '1h',
      '2d 4h',
      '2d',
    ]);
  });
});
