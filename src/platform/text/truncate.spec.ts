import { describe, expect, it } from 'vitest';
import { truncate } from './truncate.js';

describe('truncate', () => {
  it('leaves a text within the limit as it is', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('😀😀', 2)).toBe('😀😀');
  });

  it('cuts between characters, never inside a surrogate pair', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀😀');
    expect('😀😀😀'.slice(0, 3)).not.toBe(truncate('😀😀😀', 3));
  });

  it('ends a cut text with the marker, within the limit', () => {
    expect(truncate('abcdef', 4, '…')).toBe('abc…');
    expect(truncate('abcdef', 5, '...')).toBe('ab...');
    expect(truncate('abc', 3, '…')).toBe('abc');
  });
});
