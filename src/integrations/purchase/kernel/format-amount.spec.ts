import { describe, expect, it } from 'vitest';
import { formatAmount } from './format-amount.js';

describe('formatAmount', () => {
  it('shows minor units in the decimals of the currency', () => {
    expect(formatAmount(1250, 'EUR')).toBe('€12.50');
    expect(formatAmount(1250, 'JPY')).toBe('¥1,250');
    expect(formatAmount(1, 'USD')).toBe('$0.01');
  });
});
