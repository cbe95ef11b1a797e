import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.ts';

const srcRoot = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('the one clock', () => {
  it('is the only reader of the wall clock in src/', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(srcRoot)) {
      if (file.endsWith(path.join('platform', 'clock.ts'))) continue;
      const text = fs.readFileSync(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/\bDate\.now\(\)|new Date\(\)/.test(line)) offenders.push(`${path.relative(srcRoot, file)}:${i + 1}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('ManualClock moves only when told', () => {
    const c = new ManualClock('2026-03-01T00:00:00Z');
    expect(c.now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
    c.advance(90_000);
    expect(c.now().toISOString()).toBe('2026-03-01T00:01:30.000Z');
    c.set('2027-01-01T00:00:00Z');
    expect(c.now().getUTCFullYear()).toBe(2027);
  });

  it('systemClock reads the wall clock', () => {
    const before = performance.timeOrigin + performance.now();
    const t = systemClock.now().getTime();
    expect(Math.abs(t - before)).toBeLessThan(5_000);
  });
});
