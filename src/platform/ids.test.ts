import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { newId } from './ids.ts';

describe('newId', () => {
  it('sorts in creation order, also within one millisecond and when the clock goes back', () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      ids.push(newId('msg', clock));
      if (i % 100 === 99) clock.advance(1);
      if (i === 250) clock.advance(-60_000);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries its prefix and the clock time', () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const id = newId('case', clock);
    expect(id).toMatch(/^case_[0-9a-f]{32}$/);
    const ms = Number.parseInt(id.slice(5, 17), 16);
    expect(ms).toBeGreaterThanOrEqual(Date.parse('2030-01-01T00:00:00Z'));
  });
});
