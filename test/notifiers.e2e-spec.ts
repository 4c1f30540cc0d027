import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Module } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import { EmailNotifier } from '../src/platform/notifiers/email.notifier.js';
import { type Incident, ItsmNotifier } from '../src/platform/notifiers/itsm.notifier.js';
import { NotifierError } from '../src/platform/notifiers/notifier.error.js';
import { definePipeline } from '../src/platform/pipeline/pipeline-definition.js';
import { PipelineModule } from '../src/platform/pipeline/pipeline.module.js';
import { type ItsmPeer, startItsmPeer } from './support/itsm-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const smtpCredentials = { user: 'alerts', pass: 's3cret-smtp-Pa55' };
const itsmCredentials = { username: 'tributary', password: 'n0w-Secret-Pa55' };

// An error-treatment pipeline in miniature: all it needs from the platform is the notifiers.
const alerting = definePipeline({
  name: 'alerting',
  role: 'error-treatment',
  description: 'sends alerts',
});
@Module({ imports: [PipelineModule.register(alerting)] })
class AlertingModule {}

const incident: Incident = {
  shortDescription: 'store-receipt cannot reach SMTP',
  description: 'The receipt of purchase p-1 was not sent after 5 attempts.',
  severity: 'critical',
  category: 'integration',
  correlationId: 'corr-42',
  source: 'store-receipt',
  details: { purchaseId: 'p-1', attempts: 5 },
};

describe.each(profiles)('notifiers on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let smtp: SmtpPeer;
  let itsm: ItsmPeer;

  beforeAll(async () => {
    smtp = await startSmtpPeer(smtpCredentials);
    itsm = await startItsmPeer();
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: [{ pipeline: alerting, module: AlertingModule }],
      overrides: {
        notifiers: {
          email: { smtpUrl: smtp.url(smtpCredentials) },
          itsm: { url: itsm.url, ...itsmCredentials },
        },
      },
    });
  });
  afterEach(() => itsm?.reset());
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
    await smtp?.close();
    await itsm?.close();
  });

  /** The app's configuration with other notifier settings, for a notifier built beside the app's. */
  const withNotifiers = (notifiers: {
    email?: Partial<AppConfig['notifiers']['email']>;
    itsm?: Partial<AppConfig['notifiers']['itsm']>;
  }): AppConfig['notifiers'] => ({
    email: { ...app.config.notifiers.email, ...notifiers.email },
    itsm: { ...app.config.notifiers.itsm, ...notifiers.itsm },
  });

  const rejection = async (promise: Promise<unknown>): Promise<NotifierError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotifierError);
    return error as NotifierError;
  };

  describe('e-mail', () => {
    it('delivers the message to the SMTP server, authenticated, from the configured sender', async () => {
      const email = app.app.get(EmailNotifier);
      expect(email.isConfigured()).toBe(true);
      const before = smtp.received.length;

      const { messageId } = await email.send({
        to: ['ops@example.com', 'oncall@example.com'],
        subject: 'Purchase flow failed',
        text: 'The receipt of purchase p-1 was not sent.',
        headers: { 'X-Correlation-Id': 'corr-42' },
      });

      expect(smtp.received).toHaveLength(before + 1);
      const mail = smtp.received[before]!;
      expect(mail.user).toBe(smtpCredentials.user);
      expect(mail.mailFrom).toBe('tributary@localhost');
      expect(mail.rcptTo).toEqual(['ops@example.com', 'oncall@example.com']);
      expect(mail.header('subject')).toBe('Purchase flow failed');
      expect(mail.header('x-correlation-id')).toBe('corr-42');
      expect(mail.header('message-id')).toBe(messageId);
      expect(mail.body).toContain('The receipt of purchase p-1 was not sent.');
    });

    it('reports a 4xx refusal as retriable', async () => {
      const error = await rejection(
        app.app.get(EmailNotifier).send({ to: 'refuse-451@example.com', subject: 's', text: 't' }),
      );
      expect(error).toMatchObject({
        notifier: 'email',
        code: 'rejected',
        retriable: true,
        status: 451,
      });
    });

    it('reports a permanent 5xx refusal as not retriable', async () => {
      const error = await rejection(
        app.app.get(EmailNotifier).send({ to: 'refuse-550@example.com', subject: 's', text: 't' }),
      );
      expect(error).toMatchObject({ code: 'rejected', retriable: false, status: 550 });
    });

    it('reports refused credentials as not retriable, without the password', async () => {
      const wrong = { user: 'alerts', pass: 'wr0ng-Pa55word' };
      const email = new EmailNotifier(withNotifiers({ email: { smtpUrl: smtp.url(wrong) } }));
      const error = await rejection(email.send({ to: 'ops@example.com', subject: 's', text: 't' }));
      email.onModuleDestroy();
      expect(error).toMatchObject({ retriable: false, status: 535 });
      // Loggers print the cause too: nothing in the whole error may hold the password.
      const printed = inspect(error, { depth: 10 });
      expect(printed).toContain('535');
      expect(printed).not.toContain(wrong.pass);
      expect(printed).not.toContain(
        Buffer.from(`\u0000${wrong.user}\u0000${wrong.pass}`).toString('base64'),
      );
    });

    it('reports a refused connection as retriable', async () => {
      const port = await closedPort();
      const email = new EmailNotifier(
        withNotifiers({ email: { smtpUrl: `smtp://127.0.0.1:${port}` } }),
      );
      const error = await rejection(email.send({ to: 'ops@example.com', subject: 's', text: 't' }));
      expect(error).toMatchObject({ code: 'connection-failed', retriable: true });
    });

    it('refuses to send when SMTP_URL is not set, not retriable', async () => {
      const email = new EmailNotifier(withNotifiers({ email: { smtpUrl: undefined } }));
      expect(email.isConfigured()).toBe(false);
      const error = await rejection(email.send({ to: 'ops@example.com', subject: 's', text: 't' }));
      expect(error).toMatchObject({ code: 'not-configured', retriable: false });
    });
  });

  describe('ITSM', () => {
    it('opens a ServiceNow incident with the mapped fields and basic authentication', async () => {
      const notifier = app.app.get(ItsmNotifier);
      expect(notifier.isConfigured()).toBe(true);
      itsm.reply({ status: 201, body: { result: { number: 'INC0010042', sys_id: 'a1b2c3' } } });

      const { ticketId } = await notifier.openIncident(incident);

      expect(itsm.received).toHaveLength(1);
      const request = itsm.received[0]!;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/api/now/table/incident');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.accept).toBe('application/json');
      const basic = Buffer.from(`${itsmCredentials.username}:${itsmCredentials.password}`).toString(
        'base64',
      );
      expect(request.headers.authorization).toBe(`Basic ${basic}`);
      expect(request.body).toEqual({
        short_description: 'store-receipt cannot reach SMTP',
        description: 'The receipt of purchase p-1 was not sent after 5 attempts.',
        urgency: '1',
        category: 'integration',
        correlation_id: 'corr-42',
        u_source: 'store-receipt',
        work_notes: JSON.stringify({ purchaseId: 'p-1', attempts: 5 }, null, 2),
      });
      expect(ticketId).toBe('INC0010042');
    });

    it('takes the sys_id when the reply has no number', async () => {
      itsm.reply({ status: 201, body: { result: { sys_id: '9d385017c611228701d22104cc95c371' } } });
      const { ticketId } = await app.app
        .get(ItsmNotifier)
        .openIncident({ ...incident, severity: 'low' });
      expect(ticketId).toBe('9d385017c611228701d22104cc95c371');
      expect((itsm.received[0]!.body as Record<string, unknown>).urgency).toBe('3');
    });

    it('sends a bearer token when ITSM_TOKEN is set', async () => {
      const token = 'tok-3e8f0c1d9a';
      const notifier = new ItsmNotifier(
        withNotifiers({ itsm: { username: undefined, password: undefined, token } }),
      );
      await notifier.openIncident(incident);
      expect(itsm.received[0]!.headers.authorization).toBe(`Bearer ${token}`);
    });

    it.each([
      [500, true, 'server-error'],
      [503, true, 'server-error'],
      [429, true, 'rejected'],
      [400, false, 'rejected'],
      [403, false, 'rejected'],
    ] as const)('reports a %i answer as retriable: %s', async (status, retriable, code) => {
      itsm.reply({ status, body: { error: { message: 'refused by the test peer' } } });
      const error = await rejection(app.app.get(ItsmNotifier).openIncident(incident));
      expect(error).toMatchObject({ notifier: 'itsm', status, retriable, code });
      expect(error.message).toContain('refused by the test peer');
    });

    it('never puts the credentials in the error, even when the tool echoes them', async () => {
      itsm.reply((request) => ({
        status: 401,
        body: {
          error: {
            message: 'bad auth',
            got: request.headers.authorization,
            pass: itsmCredentials.password,
          },
        },
      }));
      const error = await rejection(app.app.get(ItsmNotifier).openIncident(incident));
      const basic = Buffer.from(`${itsmCredentials.username}:${itsmCredentials.password}`).toString(
        'base64',
      );
      expect(error).toMatchObject({ status: 401, retriable: false });
      expect(error.message).toContain('bad auth');
      const printed = inspect(error, { depth: 10 });
      expect(printed).not.toContain(itsmCredentials.password);
      expect(printed).not.toContain(basic);
    });

    it('reports a reply without a ticket id as not retriable: the incident may exist', async () => {
      itsm.reply({ status: 201, body: { result: {} } });
      const error = await rejection(app.app.get(ItsmNotifier).openIncident(incident));
      expect(error).toMatchObject({ code: 'bad-response', retriable: false, status: 201 });
    });

    it('reports a tool that does not answer in time as retriable', async () => {
      itsm.reply('hang');
      const notifier = new ItsmNotifier(withNotifiers({ itsm: { timeoutMs: 200 } }));
      const error = await rejection(notifier.openIncident(incident));
      expect(error).toMatchObject({ code: 'timeout', retriable: true });
      expect(itsm.received).toHaveLength(1);
    });

    it('reports a refused connection as retriable', async () => {
      const port = await closedPort();
      const notifier = new ItsmNotifier(
        withNotifiers({ itsm: { url: `http://127.0.0.1:${port}/api/now/table/incident` } }),
      );
      const error = await rejection(notifier.openIncident(incident));
      expect(error).toMatchObject({ code: 'connection-failed', retriable: true });
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('refuses to open an incident when ITSM_URL is not set, not retriable', async () => {
      const notifier = new ItsmNotifier(withNotifiers({ itsm: { url: undefined } }));
      expect(notifier.isConfigured()).toBe(false);
      const error = await rejection(notifier.openIncident(incident));
      expect(error).toMatchObject({ code: 'not-configured', retriable: false });
      expect(itsm.received).toHaveLength(0);
    });
  });
});

/** A loopback port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
