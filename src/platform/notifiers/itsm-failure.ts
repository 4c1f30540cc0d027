import { NotifierError } from './notifier.error.js';
import { truncate } from '../text/truncate.js';
import { redact } from './redact.js';

const BODY_EXCERPT = 300;

/**
 * Classifies an HTTP reply that is not a success: 5xx, 408 and 429 may pass later; any other
 * status (4xx, and 3xx since redirects are not followed with credentials) will not. The
 * reply's start is kept, redacted, because ITSM tools say there which field they refused.
 */
export function itsmStatusFailure(
  status: number,
  body: string,
  host: string,
  secrets: readonly (string | undefined)[],
): NotifierError {
  const retriable = status >= 500 || status === 408 || status === 429;
  const code = status >= 500 ? 'server-error' : status === 408 ? 'timeout' : 'rejected';
  const excerpt = truncate(body, BODY_EXCERPT, '…');
  const message = redact(
    `ITSM at ${host} answered ${status}${excerpt ? `: ${excerpt}` : ''}`,
    secrets,
  );
  return new NotifierError(message, { notifier: 'itsm', code, retriable, status });
}

/**
 * Classifies a request that got no reply: the timeout fired, or the connection failed
 * (refused, reset, DNS). Both may pass later.
 */
export function itsmRequestFailure(
  error: unknown,
  host: string,
  timeoutMs: number,
  secrets: readonly (string | undefined)[],
): NotifierError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new NotifierError(`ITSM at ${host} did not answer within ${timeoutMs} ms`, {
      notifier: 'itsm',
      code: 'timeout',
      retriable: true,
      cause: error,
    });
  }
  // fetch reports network failures as TypeError('fetch failed') with the socket error as cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new NotifierError(redact(`ITSM at ${host} could not be reached: ${reason}`, secrets), {
    notifier: 'itsm',
    code: 'connection-failed',
    retriable: true,
    cause: error,
  });
}
