import { NotifierError } from './notifier.error.js';
import { redact } from './redact.js';

/** The parts of a Nodemailer error that tell transient from permanent failures. */
interface SmtpErrorShape {
  message?: string;
  code?: string;
  responseCode?: number;
}

/** The session ended before a reply: the server or the network may be back soon. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'EPROXY']);
/** Set up or message is wrong (credentials, TLS, addresses): the same e-mail fails again. */
const PERMANENT_CODES = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ETLS',
  'EREQUIRETLS',
  'EENVELOPE',
  'EMESSAGE',
  'EMAXRECIPIENTS',
  'ECONFIG',
]);

/**
 * Classifies a Nodemailer failure. An SMTP reply decides first (RFC 5321: 4yz transient, 5yz
 * permanent except 503, a bad command sequence that a new session can pass); then the error
 * code; anything unknown is retriable, since a lost alert costs more than a repeated attempt.
 */
export function emailFailure(
  error: unknown,
  secrets: readonly (string | undefined)[],
): NotifierError {
  const smtp = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorShape;
  const message = redact(`e-mail not sent: ${smtp.message ?? String(error)}`, secrets);
  const reply = smtp.responseCode;
  const base = { notifier: 'email' as const, cause: error };

  if (typeof reply === 'number' && reply >= 400 && reply < 600) {
    const retriable = reply < 500 || reply === 503;
    return new NotifierError(message, { ...base, code: 'rejected', retriable, status: reply });
  }
  if (smtp.code === 'ETIMEDOUT')
    return new NotifierError(message, { ...base, code: 'timeout', retriable: true });
  if (smtp.code && CONNECTION_CODES.has(smtp.code)) {
    return new NotifierError(message, { ...base, code: 'connection-failed', retriable: true });
  }
  if (smtp.code && PERMANENT_CODES.has(smtp.code)) {
    return new NotifierError(message, { ...base, code: 'rejected', retriable: false });
  }
  return new NotifierError(message, { ...base, code: 'failed', retriable: true });
}
