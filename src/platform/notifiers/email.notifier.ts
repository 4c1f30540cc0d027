import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { NOTIFIERS_OPTIONS } from './constants.js';
import type { NotifiersConfig } from './notifiers.config.js';
import { emailFailure } from './email-failure.js';
import { NotifierError } from './notifier.error.js';
import { inSpan, SpanKind } from '../tracing/tracing.js';

/** An e-mail to send; `from` is the configured sender. */
export interface EmailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;

/**
 * Sends e-mail through the SMTP server of `SMTP_URL` (Nodemailer), waiting at most
 * `notifiers.email.timeoutMs` for each step of the session.
 */
@Injectable()
export class EmailNotifier implements OnModuleDestroy {
  private readonly logger = new Logger(EmailNotifier.name);
  private readonly transporter?: Transporter;
  private readonly secrets: (string | undefined)[] = [];

  private spanAttributes: Record<string, string | number> = { 'network.protocol.name': 'smtp' };

  /** The longest each step of a send may take (`notifiers.email.timeoutMs`). */
  readonly timeoutMs: number;

  constructor(@Inject(NOTIFIERS_OPTIONS) notifiers: NotifiersConfig) {
    const { smtpUrl, from, timeoutMs } = notifiers.email;
    this.timeoutMs = timeoutMs;
    if (smtpUrl === undefined) return;
    const password = URL.canParse(smtpUrl) ? new URL(smtpUrl).password : '';
    if (URL.canParse(smtpUrl)) {
      const { hostname, port, protocol } = new URL(smtpUrl);
      this.spanAttributes = {
        ...this.spanAttributes,
        'server.address': hostname,
        'server.port': Number(port) || (protocol === 'smtps:' ? 465 : 587),
      };
    }
    this.secrets = [password, safeDecode(password)];
    this.transporter = nodemailer.createTransport(
      {
        url: smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
      },
      { from },
    );
  }

  /** Whether `SMTP_URL` is set; when not, {@link send} rejects, not retriable. */
  isConfigured(): boolean {
    return this.transporter !== undefined;
  }

  /**
   * Sends the e-mail and returns its Message-ID. Rejects with a {@link NotifierError} whose
   * `retriable` says whether trying again may help.
   */
  async send(mail: EmailMessage): Promise<{ messageId: string }> {
    if (!this.transporter) {
      throw new NotifierError('e-mail is not configured (SMTP_URL)', {
        notifier: 'email',
        code: 'not-configured',
        retriable: false,
      });
    }
    const transporter = this.transporter;
    // Nodemailer has no maintained instrumentation: the notifier opens the SMTP client span
    // (the server, never the recipients or the subject).
    return inSpan(
      'smtp send',
      { kind: SpanKind.CLIENT, attributes: this.spanAttributes },
      async () => {
        try {
          const info = await transporter.sendMail({
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            headers: mail.headers,
          });
          if (info.rejected.length > 0) {
            this.logger.warn(
              `e-mail ${info.messageId}: ${info.rejected.length} recipient(s) refused`,
            );
          }
          return { messageId: info.messageId };
        } catch (error) {
          throw emailFailure(error, this.secrets);
        }
      },
    );
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
