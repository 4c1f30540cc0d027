import { describe, expect, it } from 'vitest';
import { describeError } from './describe-error.js';

describe('describeError', () => {
  it('names an error and gives its message', () => {
    expect(describeError(new TypeError('bad input'))).toBe('TypeError: bad input');
  });

  it('writes a plain object as JSON, never [object Object]', () => {
    expect(describeError({ code: 'ER_LOCK_DEADLOCK', errno: 1213 })).toBe(
      '{"code":"ER_LOCK_DEADLOCK","errno":1213}',
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular)).toBe('[object Object]');
  });

  it('writes anything else as text', () => {
    expect(describeError('down')).toBe('down');
    expect(describeError(undefined)).toBe('undefined');
  });
});
