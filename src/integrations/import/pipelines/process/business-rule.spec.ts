import { describe, expect, it } from 'vitest';
import { applyBusinessRule, InvalidRecordError } from './business-rule.js';

describe('applyBusinessRule', () => {
  it('maps a valid record, amounts given as numbers or decimal strings', () => {
    expect(
      applyBusinessRule('i', 's', '7', {
        name: ' Ada ',
        email: 'ada@example.com',
        amount: '12.34',
      }),
    ).toEqual({
      importId: 'i',
      source: 's',
      key: '7',
      name: 'Ada',
      email: 'ada@example.com',
      amountCents: 1234,
    });
    expect(
      applyBusinessRule('i', 's', '8', { name: 'Bo', email: 'bo@example.com', amount: 3 })
        .amountCents,
    ).toBe(300);
  });

  it('refuses a record that breaks the rule, naming every violation', () => {
    let error: unknown;
    try {
      applyBusinessRule('i', 's', '9', { name: '', email: 'not-an-email', amount: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).violations).toHaveLength(3);
  });
});
