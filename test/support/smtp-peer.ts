import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message as the SMTP peer received it. */
export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  /** The authenticated user, when the peer requires credentials. */
  user?: string;
  raw: string;
  /** A header's unfolded value, by case-insensitive name. */
  header(name: string): string | undefined;
  body: string;
}

export interface SmtpPeer {
  port: number;
  /** `smtp://[user:pass@]127.0.0.1:<port>` for `SMTP_URL`. */
  url(credentials?: { user: string; pass: string }): string;
  received: ReceivedMail[];
  /** Each message is answered this long after its data arrived (a slow peer); 0 by default. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on an ephemeral port, for specs. A recipient named `refuse-<code>@…` is
 * refused with that reply code (`refuse-451@x` transient, `refuse-550@x` permanent).
 * With `credentials`, it requires them (plain AUTH, no TLS: it is loopback only).
 */
export async function startSmtpPeer(
  credentials?: {
    user: string;
    pass: string;
  },
  behaviour: {
    /** Called for each recipient: a reply code (4xx, 5xx) refuses it, undefined accepts it. */
    refuse?: (address: string) => number | undefined;
  } = {},
): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const pace = { delayMs: 0 };
  const options: SMTPServerOptions = {
    logger: false,
    disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !credentials,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onRcptTo(address, _session, callback) {
      const code = behaviour.refuse?.(address.address);
      if (code !== undefined) {
        return callback(
          Object.assign(new Error('refused by the test peer'), { responseCode: code }),
        );
      }
      const refusal = /^refuse-(\d{3})@/.exec(address.address);
      if (!refusal) return callback();
      callback(
        Object.assign(new Error(`refused by the test peer`), { responseCode: Number(refusal[1]) }),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : '';
        received.push(parseMail(raw, session));
        // Received (and counted) at once; the answer comes late when the peer is slow.
        setTimeout(callback, pace.delayMs);
      });
    },
  };
  const server = new SMTPServer(options);
  // A client that dies mid-session (a SIGKILLed subscriber) resets its connection: smtp-server
  // emits that as an 'error', which would throw in the spec's process without a listener.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const peer: SmtpPeer = Object.assign(pace, {
    port,
    url: (auth?: { user: string; pass: string }) =>
      auth
        ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}`
        : `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return peer;
}

function parseMail(
  raw: string,
  session: {
    envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] };
    user?: unknown;
  },
): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    user: typeof session.user === 'string' ? session.user : undefined,
    raw,
    header: (name) => headers.get(name.toLowerCase()),
    body,
  };
}
