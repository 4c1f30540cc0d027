import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertThrottle } from '../src/platform/error-store/alert-throttle.js';
import type { ErrorRecord } from '../src/platform/error-store/error-record.entity.js';
import { ErrorStore } from '../src/platform/error-store/error-store.js';
import { BusObservers, type DeliveryReport } from '../src/platform/event-bus/bus-observers.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { integrations } from '../src/integrations/index.js';
import {
  purchaseCompleted,
  type PurchaseCompleted,
} from '../src/integrations/purchase/kernel/purchase-completed.event.js';
import { receiptRetry } from '../src/integrations/purchase/kernel/reprocess.events.js';
import { type ItsmPeer, type ReceivedRequest, startItsmPeer } from './support/itsm-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { addCard as addCardTo, purchaseRequest } from './support/purchases.js';
import { type ReceivedMail, type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const SUPPORT = 'support@tributary.test';

/** A text body as the mail client shows it: quoted-printable soft breaks and escapes undone. */
function bodyText(mail: ReceivedMail): string {
  const unfolded = mail.body.replace(/=\r\n/g, '');
  return /quoted-printable/i.test(mail.header('content-transfer-encoding') ?? '')
    ? Buffer.from(
        unfolded.replace(/=([0-9A-F]{2})/g, (_h, hex: string) =>
          String.fromCharCode(parseInt(hex, 16)),
        ),
        'latin1',
      ).toString('utf8')
    : mail.body;
}

/** Header values as the mail client shows them: RFC 2047 encoded words (`=?UTF-8?Q?…?=`) decoded. */
function decodeHeader(value: string | undefined): string | undefined {
  return value
    ?.replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_h, hex: string) =>
                String.fromCharCode(parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}

describe.each(profiles)('purchase flow (synchronous model) on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let smtp: SmtpPeer;
  let itsm: ItsmPeer;
  /** The bank's notification service: any HTTP peer does, so the ITSM one plays it too. */
  let notifications: ItsmPeer;
  /** Recipients the SMTP peer refuses (451) this many more times. */
  const smtpRefusals = new Map<string, number>();
  /** Card tokens whose notifications the notification service answers with this status. */
  const notificationStatus = new Map<string, number>();
  const deliveries: DeliveryReport[] = [];

  beforeAll(async () => {
    smtp = await startSmtpPeer(undefined, {
      refuse: (address) => {
        const left = smtpRefusals.get(address) ?? 0;
        if (left === 0) return undefined;
        smtpRefusals.set(address, left - 1);
        return 451;
      },
    });
    itsm = await startItsmPeer();
    notifications = await startItsmPeer();
    let sequence = 0;
    notifications.reply((request) => {
      const status = notificationStatus.get(
        (request.body as { cardToken?: string }).cardToken ?? '',
      );
      return status
        ? { status, body: { error: 'the push gateway is down' } }
        : { status: 201, body: { id: `push-${++sequence}` } };
    });
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        notifiers: { email: { smtpUrl: smtp.url() }, itsm: { url: itsm.url } },
        purchaseFlow: { notificationService: { url: notifications.url } },
        errorTreatment: { supportEmail: SUPPORT, reprocess: { delayMs: 20, maxDelayMs: 100 } },
      },
    });
    app.app.get(BusObservers).add({ delivered: (report) => deliveries.push(report) });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([smtp?.close(), itsm?.close(), notifications?.close()]);
    await profile?.dispose();
  });

  // ---- helpers -------------------------------------------------------------------------

  const unique = () => randomBytes(5).toString('hex');
  const db = () => app.app.get(DataSource);

  const addCard = (patch?: Parameters<typeof addCardTo>[1]) => addCardTo(db(), patch);
  const purchase = purchaseRequest;

  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await db().query(sql, params)) as { n: number | string }[])[0]!.n);
  const purchasesOf = (card: string) =>
    count('SELECT COUNT(*) AS n FROM purchases WHERE card_token = ?', [card]);
  const usedOf = async (card: string) =>
    Number(
      (
        (await db().query('SELECT used FROM cards WHERE token = ?', [card])) as { used: number }[]
      )[0]!.used,
    );
  const receiptsOf = (purchaseId: string) =>
    smtp.received.filter((m) => m.header('x-purchase-id') === purchaseId);
  const notificationsOf = (purchaseId: string) =>
    notifications.received.filter(
      (r) => (r.body as { purchaseId?: string }).purchaseId === purchaseId,
    );
  const errorsOf = async (pipeline: string, correlationId: string): Promise<ErrorRecord[]> =>
    (await app.app.get(ErrorStore).list({ pipeline }, { offset: 0, limit: 500 })).items.filter(
      (r) => r.correlationId === correlationId,
    );
  const incidentsFor = (correlationId: string): ReceivedRequest[] =>
    itsm.received.filter(
      (r) => (r.body as { correlation_id?: string }).correlation_id === correlationId,
    );
  const show = (id: string) => app.http.get(`/api/v1/purchases/${id}`).expect(200);

  // ---- the flow ------------------------------------------------------------------------

  it('confirms a purchase at once, then the bank notification and the store receipt go out', async () => {
    const card = await addCard();
    const request = purchase(card);
    const created = await app.http
      .post('/api/v1/purchases')
      .set('X-Correlation-Id', `happy-${profileName}`)
      .send(request)
      .expect(201);
    expect(created.body).toMatchObject({
      cardToken: card,
      amount: 1250,
      currency: 'EUR',
      merchantId: 'corner-books',
      merchantName: 'Corner Books',
      purchaserEmail: request.purchaserEmail,
      status: 'completed',
      correlationId: `happy-${profileName}`,
    });
    expect(created.headers.location).toBe(`/api/v1/purchases/${created.body.id}`);
    expect(created.body.deliveries.receipt).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await usedOf(card)).toBe(1250);

    const shown = await eventually(
      async () => {
        const body = (await show(created.body.id)).body;
        return (
          body.deliveries.receipt.status === 'sent' &&
          body.deliveries.notification.status === 'sent' &&
          body
        );
      },
      15_000,
      'receipt and notification sent',
    );
    const [receipt] = receiptsOf(created.body.id);
    expect(receipt!.rcptTo).toEqual([request.purchaserEmail]);
    expect(decodeHeader(receipt!.header('subject'))).toBe('Your receipt from Corner Books: €12.50');
    expect(bodyText(receipt!)).toContain(created.body.id);
    expect(shown.deliveries.receipt).toMatchObject({
      attempts: 1,
      lastError: null,
      reference: receipt!.header('message-id'),
    });
    const [push] = notificationsOf(created.body.id);
    expect(push!.body).toMatchObject({
      cardToken: card,
      amount: 1250,
      currency: 'EUR',
      title: 'Purchase of €12.50',
    });
    expect(push!.headers['idempotency-key']).toBe(`purchase-${created.body.id}`);
    expect(push!.headers['x-correlation-id']).toBe(`happy-${profileName}`);
    expect(shown.deliveries.notification).toMatchObject({
      attempts: 1,
      reference: expect.stringMatching(/^push-\d+$/),
    });

    // A redelivered purchase.completed and a stray reprocessing request find the receipt sent: no second e-mail.
    const bus = app.app.get(EventBus);
    const event: PurchaseCompleted = {
      purchaseId: created.body.id,
      cardToken: card,
      amount: 1250,
      currency: 'EUR',
      merchantId: 'corner-books',
      merchantName: 'Corner Books',
      purchaserEmail: request.purchaserEmail,
      purchasedAt: created.body.purchasedAt,
    };
    const again = await bus.publish(purchaseCompleted, event, 'test');
    const retry = await bus.publish(
      receiptRetry,
      { attempt: 1, errorRecordId: 'none', originalEventId: again.id, purchase: event },
      'test',
    );
    const acked = (name: string, pipeline: string) =>
      deliveries.some((d) => d.event === name && d.pipeline === pipeline && d.outcome === 'ack');
    await eventually(
      () =>
        acked('purchase.receipt-retry', 'store-receipt') &&
        acked('purchase.completed', 'store-receipt'),
      10_000,
      'the duplicate events handled',
    );
    await eventually(
      () =>
        deliveries.filter(
          (d) => d.event === 'purchase.completed' && d.pipeline === 'bank-notification',
        ).length >= 2,
    );
    expect(retry.id).toBeTruthy();
    expect(receiptsOf(created.body.id)).toHaveLength(1);
    expect(notificationsOf(created.body.id)).toHaveLength(1);
    expect((await show(created.body.id)).body.deliveries.receipt.attempts).toBe(1);
  });

  it('stores the error and opens an ITSM ticket when the notification service fails, while the receipt still goes out', async () => {
    const card = await addCard();
    notificationStatus.set(card, 503);
    const correlationId = `notify-down-${profileName}`;
    const created = await app.http
      .post('/api/v1/purchases')
      .set('X-Correlation-Id', correlationId)
      .send(purchase(card))
      .expect(201);

    const [incident] = await eventually(
      () => incidentsFor(correlationId).length > 0 && incidentsFor(correlationId),
      20_000,
      'an ITSM ticket',
    );
    expect(incident!.body).toMatchObject({
      short_description: expect.stringContaining(
        'bank-notification: notification-service-unavailable',
      ),
      u_source: 'bank-notification',
      correlation_id: correlationId,
    });
    expect((incident!.body as { description: string }).description).toContain(
      'Reprocessed:    3 time(s)',
    );

    // The first failure and three reprocessings, each stored; the last one raised the alert.
    const records = await eventually(async () => {
      const found = await errorsOf('bank-notification', correlationId);
      return found.length === 4 && found.every((r) => r.status !== 'open') && found;
    });
    expect(records.every((r) => r.code === 'notification-service-unavailable' && r.retriable)).toBe(
      true,
    );
    expect(records.filter((r) => r.status === 'reprocessing')).toHaveLength(3);
    const alerted = records.find((r) => r.status === 'alerted')!;
    expect(alerted.failedEvent).toMatchObject({
      name: 'purchase.completed',
      payload: { purchaseId: created.body.id },
    });
    expect(alerted.context).toMatchObject({ purchaseId: created.body.id, reprocessAttempt: 3 });
    expect(
      (alerted.notifications as { channels: { itsm: { outcome: string } } }).channels.itsm.outcome,
    ).toBe('sent');
    expect(notificationsOf(created.body.id)).toHaveLength(4);

    const shown = await eventually(async () => {
      const body = (await show(created.body.id)).body;
      return body.deliveries.receipt.status === 'sent' && body;
    });
    expect(shown.deliveries.notification).toMatchObject({ status: 'failed', attempts: 4 });
    expect(shown.deliveries.notification.lastError).toContain('answered 503');
    expect(receiptsOf(created.body.id)).toHaveLength(1);
    // The receipt pipeline knew nothing of the failure.
    expect(await errorsOf('store-receipt', correlationId)).toHaveLength(0);
  });

  it('reprocesses a receipt the SMTP server refused, sends it once when the server recovers, and resolves its error records', async () => {
    const card = await addCard();
    const request = purchase(card);
    smtpRefusals.set(request.purchaserEmail, 2);
    const retriesBefore = deliveries.filter(
      (d) => d.event === 'purchase.receipt-retry' && d.outcome === 'ack',
    ).length;
    const correlationId = `smtp-flaky-${profileName}`;
    const created = await app.http
      .post('/api/v1/purchases')
      .set('X-Correlation-Id', correlationId)
      .send(request)
      .expect(201);

    const shown = await eventually(
      async () => {
        const body = (await show(created.body.id)).body;
        return body.deliveries.receipt.status === 'sent' && body;
      },
      20_000,
      'the receipt sent after reprocessing',
    );
    expect(shown.deliveries.receipt).toMatchObject({ attempts: 3, lastError: null });
    // The reprocessing succeeded: both error records (the first failure, and the first
    // reprocessing's) are resolved, not left `reprocessing`.
    const records = await eventually(
      async () => {
        const found = await errorsOf('store-receipt', correlationId);
        return found.length === 2 && found.every((r) => r.status === 'resolved') && found;
      },
      10_000,
      'both error records resolved',
    );
    expect(records.map((r) => r.code)).toEqual(['smtp-unavailable', 'smtp-unavailable']);
    expect(records.map((r) => r.context?.reprocessAttempt).sort()).toEqual([0, 1]);
    expect(records.map((r) => r.subject)).toEqual([
      `${created.body.id}/receipt`,
      `${created.body.id}/receipt`,
    ]);
    expect(records.map((r) => r.note)).toEqual([
      'resolved: receipt sent after reprocessing 2',
      'resolved: receipt sent after reprocessing 2',
    ]);
    // Both reprocessings are handled before we count.
    await eventually(
      () =>
        deliveries.filter((d) => d.event === 'purchase.receipt-retry' && d.outcome === 'ack')
          .length >=
        retriesBefore + 2,
    );
    expect(receiptsOf(created.body.id)).toHaveLength(1);
    expect(incidentsFor(correlationId)).toHaveLength(0);
    expect(
      smtp.received.filter(
        (m) => m.rcptTo.includes(SUPPORT) && bodyText(m).includes(correlationId),
      ),
    ).toHaveLength(0);
  });

  it('takes 200 concurrent purchases: 200 receipts and 200 notifications, none twice', async () => {
    const card = await addCard({ creditLimit: 1_000_000 });
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        app.http.post('/api/v1/purchases').send(purchase(card, { amount: 100 + i })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(201));
    const ids = new Set(responses.map((r) => r.body.id as string));
    expect(ids.size).toBe(200);
    expect(await purchasesOf(card)).toBe(200);
    expect(await usedOf(card)).toBe(
      Array.from({ length: 200 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0),
    );

    const receipts = () => smtp.received.filter((m) => ids.has(m.header('x-purchase-id') ?? ''));
    const pushes = () =>
      notifications.received.filter((r) => ids.has((r.body as { purchaseId: string }).purchaseId));
    await eventually(
      () => receipts().length >= 200 && pushes().length >= 200,
      60_000,
      '200 receipts and 200 notifications',
    );
    const sent = await eventually(
      async () =>
        (await count(
          "SELECT COUNT(*) AS n FROM purchase_deliveries WHERE status = 'sent' AND purchase_id IN (SELECT id FROM purchases WHERE card_token = ?)",
          [card],
        )) === 400,
    );
    expect(sent).toBe(true);
    expect(receipts()).toHaveLength(200);
    expect(pushes()).toHaveLength(200);
    expect(new Set(receipts().map((m) => m.header('x-purchase-id'))).size).toBe(200);
    expect(new Set(pushes().map((r) => (r.body as { purchaseId: string }).purchaseId)).size).toBe(
      200,
    );
  }, 120_000);

  it('answers a replayed Idempotency-Key with the first answer and no second purchase', async () => {
    const card = await addCard();
    const key = `key-${unique()}`;
    const request = purchase(card);
    const first = await app.http
      .post('/api/v1/purchases')
      .set('Idempotency-Key', key)
      .send(request)
      .expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // The same body, its keys in another order: the same request.
    const reordered = Object.fromEntries(Object.entries(request).reverse());
    const replay = await app.http
      .post('/api/v1/purchases')
      .set('Idempotency-Key', key)
      .send(reordered)
      .expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);

    const other = await app.http
      .post('/api/v1/purchases')
      .set('Idempotency-Key', key)
      .send({ ...request, amount: 999 })
      .expect(422);
    expect(other.body).toMatchObject({ status: 422, code: 'idempotency-key-reused' });
    expect(await purchasesOf(card)).toBe(1);
    expect(await usedOf(card)).toBe(1250);
    await eventually(() => receiptsOf(first.body.id).length === 1);

    // Many retries at once with one key: one purchase; each answer is it, or "still in progress".
    const concurrentKey = `key-${unique()}`;
    const racing = purchase(card, { amount: 700 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.http.post('/api/v1/purchases').set('Idempotency-Key', concurrentKey).send(racing),
      ),
    );
    const succeeded = answers.filter((a) => a.status === 201);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(
      answers.every(
        (a) => a.status === 201 || (a.status === 409 && a.body.code === 'idempotency-key-in-use'),
      ),
    ).toBe(true);
    expect(new Set(succeeded.map((a) => a.body.id)).size).toBe(1);
    expect(await purchasesOf(card)).toBe(2);
    expect(await usedOf(card)).toBe(1250 + 700);
  });

  it('refuses bad input with 400 and the fields at fault, and writes nothing', async () => {
    const card = await addCard();
    const before = {
      purchases: await count('SELECT COUNT(*) AS n FROM purchases'),
      keys: await count('SELECT COUNT(*) AS n FROM idempotency_keys'),
      deliveries: await count('SELECT COUNT(*) AS n FROM purchase_deliveries'),
    };
    const { cardToken: _omitted, ...withoutCard } = purchase(card);
    const cases: [string, unknown, string][] = [
      ['missing field', withoutCard, 'cardToken'],
      ['mistyped amount', purchase(card, { amount: '12.50' }), 'amount'],
      ['fractional amount', purchase(card, { amount: 12.5 }), 'amount'],
      ['negative amount', purchase(card, { amount: -100 }), 'amount'],
      ['lower-case currency', purchase(card, { currency: 'eur' }), 'currency'],
      ['bad e-mail', purchase(card, { purchaserEmail: 'not-an-address' }), 'purchaserEmail'],
      ['unknown property', purchase(card, { discount: 5 }), 'discount'],
      ['oversized field', purchase(card, { merchantName: 'x'.repeat(5000) }), 'merchantName'],
    ];
    for (const [what, body, field] of cases) {
      const response = await app.http
        .post('/api/v1/purchases')
        .set('Idempotency-Key', `bad-${unique()}`)
        .send(body as object);
      expect(response.status, what).toBe(400);
      expect(response.headers['content-type'], what).toContain('application/problem+json');
      expect(response.body.code, what).toBe('validation-failed');
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        what,
      ).toContain(field);
    }

    const malformed = await app.http
      .post('/api/v1/purchases')
      .set('Content-Type', 'application/json')
      .send('{"cardToken": "tok_x", "amount": 12')
      .expect(400);
    expect(malformed.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(JSON.stringify(malformed.body)).not.toMatch(/at JSON\.parse|node_modules/);

    const badKey = await app.http
      .post('/api/v1/purchases')
      .set('Idempotency-Key', 'spaces are not allowed')
      .send(purchase(card))
      .expect(400);
    expect(badKey.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);

    // Above the body limit the parser stops reading: 413, the status for exactly this.
    const huge = await app.http
      .post('/api/v1/purchases')
      .send(purchase(card, { merchantName: 'x'.repeat(200_000) }))
      .expect(413);
    expect(huge.body).toMatchObject({ status: 413 });

    expect(await count('SELECT COUNT(*) AS n FROM purchases')).toBe(before.purchases);
    expect(await count('SELECT COUNT(*) AS n FROM idempotency_keys')).toBe(before.keys);
    expect(await count('SELECT COUNT(*) AS n FROM purchase_deliveries')).toBe(before.deliveries);
    expect(await usedOf(card)).toBe(0);
  });

  it('refuses a purchase the business rules reject with 422 and a reason code, and writes nothing', async () => {
    const active = await addCard({ creditLimit: 5_000 });
    const blocked = await addCard({ status: 'blocked' });
    const dollars = await addCard({ currency: 'USD' });
    await db().query('INSERT INTO merchant_rules (merchant_id, fraud_threshold) VALUES (?, ?)', [
      `shady-${profileName}`,
      2_000,
    ]);
    const cases: [string, object][] = [
      ['card-unknown', purchase('tok_nobody_has_this')],
      ['card-blocked', purchase(blocked)],
      ['currency-mismatch', purchase(dollars)],
      ['fraud-suspected', purchase(active, { merchantId: `shady-${profileName}`, amount: 2_001 })],
      ['over-limit', purchase(active, { amount: 5_001 })],
    ];
    for (const [code, body] of cases) {
      const key = `rule-${unique()}`;
      const response = await app.http
        .post('/api/v1/purchases')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(422);
      expect(response.body, code).toMatchObject({
        status: 422,
        code,
        title: 'Unprocessable Entity',
      });
      expect(
        await count('SELECT COUNT(*) AS n FROM idempotency_keys WHERE id = ?', [
          `purchases:${key}`,
        ]),
      ).toBe(0);
    }
    for (const card of [active, blocked, dollars]) {
      expect(await purchasesOf(card)).toBe(0);
      expect(await usedOf(card)).toBe(0);
    }
    // The last unit of credit is still there to take.
    await app.http
      .post('/api/v1/purchases')
      .send(purchase(active, { amount: 5_000 }))
      .expect(201);
    await app.http
      .post('/api/v1/purchases')
      .send(purchase(active, { amount: 1 }))
      .expect(422);
  });

  it('documents both routes in the OpenAPI document: schemas, every error response, examples', async () => {
    const document = (await app.http.get('/docs-json').expect(200)).body;
    const create = document.paths['/api/v1/purchases'].post;
    expect(Object.keys(create.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
    ]);
    expect(create.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CreatePurchaseRequest',
    );
    expect(create.requestBody.content['application/json'].examples.purchase.value).toMatchObject({
      cardToken: 'tok_demo_visa_0001',
    });
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(create.responses['422'].content['application/problem+json'].example).toMatchObject({
      status: 422,
      code: 'over-limit',
    });
    const show = document.paths['/api/v1/purchases/{id}'].get;
    expect(Object.keys(show.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '500',
    ]);
    expect(show.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/PurchaseView',
    );
    const schemas = document.components.schemas;
    expect(Object.keys(schemas.CreatePurchaseRequest.properties).sort()).toEqual([
      'amount',
      'cardToken',
      'currency',
      'merchantId',
      'merchantName',
      'purchaserEmail',
    ]);
    expect(
      schemas.PurchaseView.properties.deliveries.$ref ??
        schemas.PurchaseView.properties.deliveries.allOf?.[0]?.$ref,
    ).toBe('#/components/schemas/PurchaseDeliveriesView');
    expect(schemas.ProblemDetailsView.properties).toHaveProperty('errors');
  });

  it('answers 404 for an unknown purchase and 400 for an id that is not one', async () => {
    const unknown = await app.http
      .get('/api/v1/purchases/0b7c4d0e-3f57-4c43-9b53-8f0b8a3f2c11')
      .expect(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'purchase-not-found' });
    await app.http.get('/api/v1/purchases/not-a-uuid').expect(400);
  });

  it('raises one alert for alike errors within the window, with the count', async () => {
    const card = await addCard();
    notificationStatus.set(card, 400);
    const correlations = [1, 2, 3].map((i) => `rejected-${i}-${profileName}`);
    for (const correlationId of correlations) {
      await app.http
        .post('/api/v1/purchases')
        .set('X-Correlation-Id', correlationId)
        .send(purchase(card))
        .expect(201);
    }
    const records = await eventually(
      async () => {
        const all = (
          await Promise.all(correlations.map((c) => errorsOf('bank-notification', c)))
        ).flat();
        return all.length === 3 && all.every((r) => r.status === 'alerted') && all;
      },
      15_000,
      'three errors treated',
    );
    expect(records.every((r) => r.code === 'notification-rejected' && !r.retriable)).toBe(true);
    const alerting = records.filter((r) => (r.notifications as { channels?: unknown }).channels);
    expect(alerting).toHaveLength(1);
    const others = records.filter((r) => r !== alerting[0]);
    expect(others.map((r) => r.notifications)).toEqual([
      { aggregatedInto: alerting[0]!.id },
      { aggregatedInto: alerting[0]!.id },
    ]);
    const tickets = itsm.received.filter((r) =>
      (r.body as { u_source?: string; short_description?: string }).short_description?.includes(
        'notification-rejected',
      ),
    );
    expect(tickets).toHaveLength(1);
    const mails = smtp.received.filter(
      (m) =>
        m.rcptTo.includes(SUPPORT) &&
        decodeHeader(m.header('subject'))?.includes('notification-rejected'),
    );
    expect(mails).toHaveLength(1);

    // The next alert after the window carries the count of those held back.
    const throttle = app.app.get(AlertThrottle);
    const fingerprint = alerting[0]!.fingerprint;
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await throttle.decide(fingerprint, 'next-record', 300_000, later)).toMatchObject({
      alert: true,
      count: 3,
    });
    expect(await throttle.decide(fingerprint, 'one-more', 300_000, later)).toEqual({
      alert: false,
      alertRecordId: 'next-record',
    });
  });

  it('publishes the error of the business-rule pipeline when its database fails, and answers 500 without details', async () => {
    const card = await addCard();
    const correlationId = `db-down-${profileName}`;
    await db().query('ALTER TABLE purchases RENAME TO purchases_away');
    let failed;
    try {
      failed = await app.http
        .post('/api/v1/purchases')
        .set('X-Correlation-Id', correlationId)
        .send(purchase(card));
    } finally {
      await db().query('ALTER TABLE purchases_away RENAME TO purchases');
    }
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      instance: '/api/v1/purchases',
      correlationId,
    });
    // The transaction rolled back: the credit is untouched.
    expect(await usedOf(card)).toBe(0);

    const [record] = await eventually(
      async () => {
        const found = await errorsOf('purchases', correlationId);
        return found.length === 1 && found[0]!.status === 'alerted' && found;
      },
      15_000,
      'the purchases error treated',
    );
    expect(record).toMatchObject({ code: 'database-unavailable', retriable: false });
    expect(record!.failedEvent).toMatchObject({
      name: 'POST /api/v1/purchases',
      payload: { cardToken: card },
    });
    const [incident] = incidentsFor(correlationId);
    expect(incident!.body).toMatchObject({ u_source: 'purchases', urgency: '1' });
    const mail = smtp.received.find(
      (m) => m.rcptTo.includes(SUPPORT) && bodyText(m).includes(correlationId),
    );
    expect(decodeHeader(mail?.header('subject'))).toContain('purchases: database-unavailable');
  });
});

describe.each(profiles)(
  'purchase flow with nothing configured, on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let app: TestApp;

    beforeAll(async () => {
      profile = await prepareProfile(profileName);
      app = await startTestApp(profile, { catalogue: integrations });
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    it('still confirms purchases; the deliveries fail as not configured, stored as errors, and the process carries on', async () => {
      const token = `tok_bare_${profileName}`;
      await app.app
        .get(DataSource)
        .query(
          "INSERT INTO cards (token, status, currency, credit_limit, used) VALUES (?, 'active', 'EUR', 100000, 0)",
          [token],
        );
      const correlationId = `bare-${profileName}`;
      const created = await app.http
        .post('/api/v1/purchases')
        .set('X-Correlation-Id', correlationId)
        .send({
          cardToken: token,
          amount: 500,
          currency: 'EUR',
          merchantId: 'm',
          merchantName: 'M',
          purchaserEmail: 'a@b.test',
        })
        .expect(201);
      const shown = await eventually(async () => {
        const body = (await app.http.get(`/api/v1/purchases/${created.body.id}`).expect(200)).body;
        return (
          body.deliveries.receipt.status === 'failed' &&
          body.deliveries.notification.status === 'failed' &&
          body
        );
      });
      expect(shown.deliveries.receipt.lastError).toContain('SMTP_URL');
      expect(shown.deliveries.notification.lastError).toContain('NOTIFICATION_SERVICE_URL');
      const records = await eventually(async () => {
        const { items } = await app.app.get(ErrorStore).list({}, { offset: 0, limit: 50 });
        const mine = items.filter((r) => r.correlationId === correlationId);
        // Treated: stored, then its (skipped) alert written down.
        return mine.length === 2 && mine.every((r) => r.notifications !== null) && mine;
      });
      expect(records.map((r) => r.code).sort()).toEqual([
        'notification-service-not-configured',
        'smtp-not-configured',
      ]);
      // No alert channel either: the records stay open, saying why, for support to find.
      expect(records.every((r) => r.status === 'open' && !r.retriable)).toBe(true);
      expect(records[0]!.notifications).toMatchObject({
        channels: { email: { outcome: 'skipped' }, itsm: { outcome: 'skipped' } },
      });
      await app.http.get('/health/ready').expect(200);
    });

    it('seeds the demo cards on the embedded database only', async () => {
      const rows = (await app.app
        .get(DataSource)
        .query("SELECT token FROM cards WHERE token LIKE 'tok_demo_%'")) as unknown[];
      expect(rows.length).toBe(profileName === 'embedded' ? 4 : 0);
    });
  },
);
