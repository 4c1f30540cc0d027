import { describe, expect, it } from 'vitest';
import { itsmRequestFailure, itsmStatusFailure } from './itsm-failure.js';

describe('itsmStatusFailure', () => {
  it.each([
    [500, true, 'server-error'],
    [502, true, 'server-error'],
    [503, true, 'server-error'],
    [504, true, 'server-error'],
    [408, true, 'timeout'],
    [429, true, 'rejected'],
    [400, false, 'rejected'],
    [401, false, 'rejected'],
    [403, false, 'rejected'],
    [404, false, 'rejected'],
    [422, false, 'rejected'],
    [302, false, 'rejected'],
  ] as const)('treats %i as retriable: %s (%s)', (status, retriable, code) => {
    expect(itsmStatusFailure(status, '', 'itsm.example', [])).toMatchObject({
      notifier: 'itsm',
      status,
      retriable,
      code,
      message: `ITSM at itsm.example answered ${status}`,
    });
  });

  it('keeps the start of the reply, redacted', () => {
    const body = `{"error":"Bearer tok-123 refused"}${'x'.repeat(1000)}`;
    const error = itsmStatusFailure(400, body, 'itsm.example', ['tok-123']);
    expect(error.message).toContain('{"error":"Bearer [redacted] refused"}');
    expect(error.message).not.toContain('tok-123');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message.endsWith('…')).toBe(true);
  });
});

describe('itsmRequestFailure', () => {
  it('reports the timeout signal as a retriable timeout', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(itsmRequestFailure(timeout, 'itsm.example', 5000, [])).toMatchObject({
      code: 'timeout',
      retriable: true,
      message: 'ITSM at itsm.example did not answer within 5000 ms',
    });
  });

  it('reports a network failure with its socket error, retriable', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
    });
    const error = itsmRequestFailure(
      new TypeError('fetch failed', { cause: socket }),
      'itsm.example',
      5000,
      [],
    );
    expect(error).toMatchObject({
      code: 'connection-failed',
      retriable: true,
      message: 'ITSM at itsm.example could not be reached: connect ECONNREFUSED 10.0.0.1:443',
    });
    expect(error.status).toBeUndefined();
  });
});
