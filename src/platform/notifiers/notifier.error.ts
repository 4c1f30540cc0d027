/** Why a notification failed, in words a pipeline can turn into its own error code. */
export type NotifierFailure =
  | 'not-configured'
  | 'timeout'
  | 'connection-failed'
  | 'rejected'
  | 'server-error'
  | 'bad-response'
  | 'invalid-notification'
  | 'failed';

export interface NotifierErrorOptions {
  notifier: 'email' | 'itsm';
  code: NotifierFailure;
  retriable: boolean;
  /** HTTP status, or SMTP reply code. */
  status?: number;
  cause?: unknown;
}

/**
 * A notification (e-mail, ITSM incident) that did not go out. `retriable` tells whether the
 * same notification may succeed later: 5xx, 408, 429, timeouts, refused connections and SMTP
 * 4xx replies are; other 4xx, permanent SMTP 5xx replies and a notifier that is not configured
 * are not. The message never holds a password or token.
 */
export class NotifierError extends Error {
  override readonly name: string = 'NotifierError';
  readonly notifier: 'email' | 'itsm';
  readonly code: NotifierFailure;
  readonly retriable: boolean;
  readonly status?: number;

  constructor(message: string, options: NotifierErrorOptions) {
    super(message, { cause: options.cause });
    this.notifier = options.notifier;
    this.code = options.code;
    this.retriable = options.retriable;
    this.status = options.status;
  }
}
