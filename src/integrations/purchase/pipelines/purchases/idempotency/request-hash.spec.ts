import { describe, expect, it } from 'vitest';
import { requestHash } from './request-hash.js';

describe('requestHash', () => {
  it('is the same for the same body in another key order', () => {
    expect(requestHash({ a: 1, b: { c: 'x', d: [1, 2] } })).toBe(
      requestHash({ b: { d: [1, 2], c: 'x' }, a: 1 }),
    );
  });

  it('differs when a value, an array order or a key differs', () => {
    const base = requestHash({ a: 1, b: [1, 2] });
    expect(requestHash({ a: 2, b: [1, 2] })).not.toBe(base);
    expect(requestHash({ a: 1, b: [2, 1] })).not.toBe(base);
    expect(requestHash({ a: 1, c: [1, 2] })).not.toBe(base);
  });
});
