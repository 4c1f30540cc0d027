import { describe, expect, it } from 'vitest';
import { backoff, retryDelay } from './backoff.js';

describe('retry backoff', () => {
  it('doubles from the base delay up to the maximum, without jitter', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoff(attempt, 100, 1_000))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
  });

  it('doubles from the base delay after each failed delivery', () => {
    const noJitter = () => 1;
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 100, 10_000, noJitter))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('never exceeds the maximum', () => {
    expect(retryDelay(30, 100, 5_000, () => 1)).toBe(5_000);
  });

  it('takes off up to a fifth at random so that failures do not retry in step', () => {
    expect(retryDelay(3, 100, 10_000, () => 0)).toBe(320);
    expect(retryDelay(3, 100, 10_000, () => 0.5)).toBe(360);
  });
});
