import { describe, expect, it } from 'vitest';
import { overlaps, wilsonInterval } from './wilson.ts';

describe('wilsonInterval', () => {
  // Reference values: Wilson score interval, z = 1.96 (e.g. R's prop.test(correct = FALSE), statsmodels proportion_confint(method="wilson")).
  it.each([
    [8, 10, 0.4902, 0.9433],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
    [50, 100, 0.4038, 0.5962],
    [1, 3, 0.0615, 0.7923],
  ])('%i of %i → [%f, %f]', (k, n, low, high) => {
    const i = wilsonInterval(k, n)!;
    expect(i.low).toBeCloseTo(low, 4);
    expect(i.high).toBeCloseTo(high, 4);
  });

  it('is null for an empty sample and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });

  it('overlaps', () => {
    expect(overlaps({ low: 0.1, high: 0.3 }, { low: 0.3, high: 0.5 })).toBe(true);
    expect(overlaps({ low: 0.1, high: 0.29 }, { low: 0.3, high: 0.5 })).toBe(false);
  });
});
