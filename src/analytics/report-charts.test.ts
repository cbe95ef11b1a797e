import { describe, expect, it } from 'vitest';
import { escapeXml, intervalChart, lineChart, niceMax, paretoChart } from './report-charts.ts';

const attr = (tag: string, name: string) => Number(new RegExp(`\\b${name}="([-\\d.]+)"`).exec(tag)?.[1]);
const tags = (svg: string, re: RegExp) => svg.match(re) ?? [];
const bars = (svg: string) => tags(svg, /<rect class="bar"[^>]*>/g);

const evil = '<script>alert("x")</script> & \'q\'';

describe('escapeXml', () => {
  it('escapes the five XML specials and nothing else', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    expect(escapeXml('plain ünïcode 123')).toBe('plain ünïcode 123');
  });
});

describe('niceMax', () => {
  it('rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([niceMax(0), niceMax(1), niceMax(7), niceMax(12), niceMax(24), niceMax(260), niceMax(0.37)]).toEqual([
      1, 1, 10, 20, 25, 500, 0.5,
    ]);
  });
});

describe('paretoChart', () => {
  const rows = [
    { label: 'delivery_late', count: 40, cumulativeShare: 0.5 },
    { label: 'damaged_item', count: 20, cumulativeShare: 0.75 },
    { label: 'wrong_item', count: 10, cumulativeShare: 0.875 },
    { label: 'payment', count: 10, cumulativeShare: 1 },
  ];

  it('draws one bar per row, heights proportional to the counts', () => {
    const svg = paretoChart({ title: 'Failures by kind', rows });
    const hs = bars(svg).map((b) => attr(b, 'height'));
    expect(hs).toHaveLength(4);
    expect(hs[0]).toBeGreaterThan(0);
    expect(hs[0]! / hs[1]!).toBeCloseTo(2, 5);
    expect(hs[1]! / hs[2]!).toBeCloseTo(2, 5);
    expect(hs[2]).toBe(hs[3]);
    // Bars stand on the same baseline.
    const bottoms = bars(svg).map((b) => attr(b, 'y') + attr(b, 'height'));
    expect(new Set(bottoms.map((b) => b.toFixed(1))).size).toBe(1);
  });

  it('draws the cumulative line rising to the top of the plot at 100 %', () => {
    const svg = paretoChart({ title: 'Failures by kind', rows, height: 260 });
    const d = /<path class="cumulative" d="([^"]+)"/.exec(svg)![1]!;
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(4);
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeLessThan(ys[i - 1]!);
    expect(ys.at(-1)).toBe(12); // the frame's top margin
  });

  it('escapes every label and the title', () => {
    const svg = paretoChart({ title: evil, rows: [{ label: evil, count: 3, cumulativeShare: 1 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('"x")');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('draws nothing but axes with no rows', () => {
    const svg = paretoChart({ title: 'Empty', rows: [] });
    expect(bars(svg)).toHaveLength(0);
    expect(svg).toContain('no failures');
  });
});

describe('intervalChart', () => {
  const rows = [
    { label: 'Never failed', rate: 0.4, low: 0.35, high: 0.45, n: 400 },
    { label: 'Recovered', rate: 0.6, low: 0.5, high: 0.7, n: 90 },
    { label: 'Not recovered', rate: 0.2, low: 0.1, high: 0.36, n: 30 },
    { label: 'Empty', rate: null, low: null, high: null, n: 0 },
  ];

  it('draws bars proportional to the rates on a 0–100 % axis', () => {
    const svg = intervalChart({ title: 'Repurchase within 90 days', rows, height: 260 });
    const hs = bars(svg).map((b) => attr(b, 'height'));
    expect(hs).toHaveLength(3);
    const plotH = 260 - 12 - 56;
    expect(hs[0]).toBeCloseTo(plotH * 0.4, 1);
    expect(hs[1]! / hs[0]!).toBeCloseTo(1.5, 2);
    expect(hs[2]! / hs[0]!).toBeCloseTo(0.5, 2);
  });

  it('draws each known interval from low to high around the bar top', () => {
    const svg = intervalChart({ title: 'Repurchase', rows, height: 260 });
    const groups = tags(svg, /<g class="interval"[\s\S]*?<\/g>/g);
    expect(groups).toHaveLength(3);
    const plotH = 260 - 12 - 56;
    const whisker = /<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)"\/>/.exec(groups[1]!)!;
    expect(Number(whisker[1])).toBeCloseTo(12 + plotH * (1 - 0.7), 1);
    expect(Number(whisker[2])).toBeCloseTo(12 + plotH * (1 - 0.5), 1);
    // n is printed under each cohort, the empty one with a dash.
    expect(svg).toContain('60.0 %, n = 90');
    expect(svg).toContain('—, n = 0');
  });

  it('says the numbers in its accessible name and escapes labels', () => {
    const svg = intervalChart({ title: 'Repurchase', rows: [{ label: evil, rate: 0.5, low: 0.4, high: 0.6, n: 10 }] });
    expect(svg).toMatch(
      /aria-label="Bar chart with 95 % intervals, Repurchase: &lt;script&gt;.* 50\.0 % \(40\.0 % to 60\.0 %, n = 10\)\."/,
    );
    expect(svg).not.toContain('<script>');
  });
});

describe('lineChart', () => {
  it('draws one path per series through every known point, broken at gaps', () => {
    const svg = lineChart({
      title: 'Cases per day',
      labels: ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'],
      series: [
        { name: 'Opened', values: [2, 4, 0, 4] },
        { name: 'CSAT', values: [4.5, null, 3, 5] },
      ],
      height: 240,
    });
    const paths = [...svg.matchAll(/<path class="series" d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    expect(paths[0]!.match(/[ML]/g)).toEqual(['M', 'L', 'L', 'L']);
    expect(paths[1]!.match(/[ML]/g)).toEqual(['M', 'M', 'L']);
    // y is proportional: the axis top is niceMax(5) = 5; 4 sits at 80 % of the plot height above the baseline.
    const ys = [...paths[0]!.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    const base = 240 - 52;
    const plotH = 240 - 12 - 52;
    expect(base - ys[1]!).toBeCloseTo(plotH * 0.8, 1);
    expect(ys[2]).toBe(base);
  });

  it('escapes series names and labels', () => {
    const svg = lineChart({ title: 't', labels: [evil], series: [{ name: evil, values: [1] }] });
    expect(svg).not.toContain('<script>');
    expect(svg.match(/&lt;script&gt;/g)!.length).toBeGreaterThanOrEqual(2);
  });
});
