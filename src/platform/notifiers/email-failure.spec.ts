import { describe, expect, it } from 'vitest';
import { emailFailure } from './email-failure.js';

const smtpError = (message: string, fields: { code?: string; responseCode?: number }) =>
  Object.assign(new Error(message), fields);

describe('emailFailure', () => {
  it.each([
    [421, true],
    [450, true],
    [451, true],
    [452, true],
    [503, true],
    [550, false],
    [552, false],
    [554, false],
  ])('treats an SMTP %i reply as retriable: %s', (responseCode, retriable) => {
    const error = emailFailure(smtpError('refused', { code: 'EENVELOPE', responseCode }), []);
    expect(error).toMatchObject({
      notifier: 'email',
      code: 'rejected',
      retriable,
      status: responseCode,
    });
  });

  it('lets the reply decide over the error code: a temporary auth failure is retriable', () => {
    expect(
      emailFailure(smtpError('auth', { code: 'EAUTH', responseCode: 454 }), []).retriable,
    ).toBe(true);
    expect(
      emailFailure(smtpError('auth', { code: 'EAUTH', responseCode: 535 }), []).retriable,
    ).toBe(false);
  });

  it.each([
    ['ETIMEDOUT', 'timeout', true],
    ['ECONNECTION', 'connection-failed', true],
    ['ESOCKET', 'connection-failed', true],
    ['EDNS', 'connection-failed', true],
    ['EAUTH', 'rejected', false],
    ['ENOAUTH', 'rejected', false],
    ['ETLS', 'rejected', false],
    ['EENVELOPE', 'rejected', false],
    ['EWHATEVER', 'failed', true],
  ] as const)('classifies %s without a reply as %s, retriable: %s', (code, failure, retriable) => {
    const error = emailFailure(smtpError('x', { code }), []);
    expect(error).toMatchObject({ code: failure, retriable });
    expect(error.status).toBeUndefined();
  });

  it('keeps the cause and takes the secrets out of the message', () => {
    const cause = smtpError('Invalid login for hunter2-pass', { code: 'EAUTH', responseCode: 535 });
    const error = emailFailure(cause, ['hunter2-pass']);
    expect(error.message).toBe('e-mail not sent: Invalid login for [redacted]');
    expect(error.cause).toBe(cause);
  });

  it('handles a thrown value that is not an error', () => {
    expect(emailFailure('boom', [])).toMatchObject({
      code: 'failed',
      retriable: true,
      message: 'e-mail not sent: boom',
    });
  });
});
