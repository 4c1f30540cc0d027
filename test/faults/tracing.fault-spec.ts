import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../harness/app-process.js';
import { type Deployment, startDeployment } from '../harness/deployment.js';
import { type NotificationPeer, startNotificationPeer } from '../harness/notification-peer.js';
import {
  ancestors,
  type OtlpReceiver,
  serverSpanOf,
  SPAN_KIND,
  type ReceivedSpan,
  startOtlpReceiver,
} from '../harness/otlp-receiver.js';
import { startTargetPeer, type TargetPeer } from '../fixtures/import-flow/target-peer.js';
import { buy, seedCard } from '../support/purchase-traffic.js';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.js';
import { eventually } from '../support/test-app.js';

const SOURCE = 'traced';

const { SERVER, CLIENT, PRODUCER, CONSUMER } = SPAN_KIND;

/**
 * Tracing for real: the built app as two OS processes over Redis (`purchases` in one, its
 * subscribers in the other), exporting OTLP/JSON to a receiver on loopback that decodes what
 * the exporter sends. A purchase is one trace across both processes.
 */
describe('one trace per flow, across processes', () => {
  let deployment: Deployment;
  let receiver: OtlpReceiver;
  let smtp: SmtpPeer;
  let notifications: NotificationPeer;
  let target: TargetPeer;
  let peersEnv: Record<string, string>;
  let otelEnv: Record<string, string>;

  beforeAll(async () => {
    [receiver, smtp, notifications, target] = await Promise.all([
      startOtlpReceiver(),
      startSmtpPeer(),
      startNotificationPeer(),
      startTargetPeer(),
    ]);
    deployment = await startDeployment({
      name: 'tracing',
      settings: {
        importFlow: {
          sources: {
            [SOURCE]: {
              type: 'sql',
              connection: 'default',
              query: 'SELECT id, name, email, amount FROM traced_people',
              keyColumn: 'id',
              pageSize: 10,
            },
          },
          target: { httpUrl: target.url },
          // Reprocessed within a second or so, not the default 30 s.
          reprocess: { intervalMs: 200, baseDelayMs: 200 },
        },
      },
    });
    peersEnv = { SMTP_URL: smtp.url(), NOTIFICATION_SERVICE_URL: notifications.url };
    otelEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Sent within a few hundred milliseconds rather than the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'tributary-spec',
      LOG_LEVEL: 'info',
      TRACE_URL_TEMPLATE: 'https://jaeger.example/trace/{traceId}',
    };
  });
  afterAll(async () => {
    await deployment?.dispose();
    await Promise.all([receiver?.close(), smtp?.close(), notifications?.close(), target?.close()]);
  });

  const inTrace = (traceId: string) => receiver.spans().filter((s) => s.traceId === traceId);
  const pipelinesOf = (span: ReceivedSpan) => String(span.resource['tributary.pipelines']);
  const isSql = (span: ReceivedSpan) =>
    span.kind === CLIENT &&
    (span.attributes['db.system'] === 'mysql' || span.attributes['db.system.name'] === 'mysql');

  it('holds the HTTP request, the publish, both subscribers in the other process, SMTP, HTTP and SQL', async () => {
    const front: AppProcess = await deployment.app('front', 'purchases', {
      ...peersEnv,
      ...otelEnv,
    });
    await deployment.app('subscribers', 'bank-notification,store-receipt', {
      ...peersEnv,
      ...otelEnv,
    });
    const card = await seedCard(deployment);
    const answer = await buy(front, card);
    expect(answer.status).toBe(201);

    const request = await serverSpanOf(receiver, '/api/v1/purchases');
    expect(pipelinesOf(request)).toBe('purchases');
    expect(request.resource['service.name']).toBe('tributary-spec');
    expect(request.attributes['http.response.status_code']).toBe(201);

    const trace = await eventually(
      async () => {
        const spans = inTrace(request.traceId);
        const processed = spans.filter(
          (s) => s.kind === CONSUMER && s.name === 'purchase.completed process',
        );
        const smtpSend = spans.find((s) => s.name === 'smtp send');
        const outgoing = spans.find(
          (s) =>
            s.kind === CLIENT &&
            pipelinesOf(s) !== 'purchases' &&
            s.attributes['http.request.method'] === 'POST',
        );
        return processed.length >= 2 && smtpSend && outgoing && spans;
      },
      20_000,
      'both subscribers, the SMTP call and the notification in the purchase trace',
    );

    const publish = trace.find(
      (s) => s.kind === PRODUCER && s.name === 'purchase.completed publish',
    );
    expect(publish, 'the publish span').toBeDefined();
    expect(pipelinesOf(publish!)).toBe('purchases');
    expect(publish!.attributes['messaging.destination.name']).toBe('purchase.completed');
    expect(publish!.attributes['messaging.system']).toBe('tributary');

    const processed = trace.filter((s) => s.name === 'purchase.completed process');
    expect(processed.map((s) => s.attributes['messaging.consumer.group.name']).sort()).toEqual([
      'bank-notification',
      'store-receipt',
    ]);
    for (const span of processed) {
      // In the other process, each a child of the publish, first attempt, acknowledged.
      expect(pipelinesOf(span)).toBe('bank-notification,store-receipt');
      expect(span.parentSpanId).toBe(publish!.spanId);
      expect(span.attributes['tributary.delivery.attempt']).toBe(1);
      expect(span.attributes['tributary.outcome']).toBe('ack');
    }
    const smtpSend = trace.find((s) => s.name === 'smtp send')!;
    const storeReceipt = processed.find(
      (s) => s.attributes['messaging.consumer.group.name'] === 'store-receipt',
    )!;
    expect(ancestors(trace, smtpSend)).toContain(storeReceipt.spanId);
    expect(smtpSend.kind).toBe(CLIENT);

    // Log lines in the flow carry the trace and span ids beside the correlation id.
    expect(front.output()).toMatch(
      new RegExp(
        `"correlationId":"[^"]+".*"trace_id":"${request.traceId}","span_id":"[0-9a-f]{16}"`,
      ),
    );

    // SQL in both processes: the purchase's insert, and the subscribers' delivery claims.
    const sql = trace.filter(isSql);
    expect(new Set(sql.map(pipelinesOf))).toEqual(
      new Set(['purchases', 'bank-notification,store-receipt']),
    );

    // No personal data in any attribute: the purchaser's e-mail and card token appear nowhere.
    const mail = smtp.received.at(-1)!;
    const everything = JSON.stringify(receiver.spans());
    expect(everything).not.toContain(card);
    for (const address of mail.rcptTo) expect(everything).not.toContain(address);
  });

  it('makes an import one trace, and a record that failed and succeeded on reprocessing one trace linked to it', async () => {
    await deployment.query(
      'CREATE TABLE traced_people (id int PRIMARY KEY, name varchar(200), email varchar(254), amount decimal(12,2))',
    );
    await deployment.query(
      'INSERT INTO traced_people (id, name, email, amount) VALUES (1, ?, ?, 1.25), (2, ?, ?, 2.50), (3, ?, ?, 3.75)',
      ['Person 1', 'p1@example.com', 'Person 2', 'p2@example.com', 'Person 3', 'p3@example.com'],
    );
    // Record 2 fails once at the target: kept in the Object Store, then reprocessed.
    target.failTransiently(`${SOURCE}:2`, 1);
    // Deployed as the compose file does: the extraction side, and the process pipeline apart.
    const front = await deployment.app('import-front', 'extract,reprocess,error-handling', otelEnv);
    await deployment.app('import-process', 'process', otelEnv);
    const started = await front.fetch('/api/v1/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: SOURCE }),
    });
    expect(started.status).toBe(202);
    await eventually(
      async () => target.accepted.get(`${SOURCE}:2`) === 1,
      20_000,
      'record 2 accepted on reprocessing',
    );

    const extract = await eventually(
      async () => receiver.spans().find((s) => s.name === 'import extract'),
      10_000,
      'the extraction span',
    );
    // The import's trace: its request and its extraction, none of its records' processing.
    const importTrace = inTrace(extract.traceId);
    const request = importTrace.find((s) => s.kind === SERVER);
    expect(request?.attributes['http.route']).toBe('/api/v1/imports');
    expect(ancestors(importTrace, extract)).toContain(request!.spanId);
    expect(importTrace.filter((s) => s.name.endsWith(' process'))).toEqual([]);

    // Each record's event starts a trace of its own, linked to the extraction.
    const recordPublishes = await eventually(
      async () => {
        const found = receiver.spans().filter((s) => s.name === 'record.extracted publish');
        return found.length === 3 && found;
      },
      10_000,
      'the three records published',
    );
    expect(new Set(recordPublishes.map((s) => s.traceId)).size).toBe(3);
    for (const span of recordPublishes) {
      expect(span.traceId).not.toBe(extract.traceId);
      expect(span.parentSpanId).toBeUndefined();
      expect(span.links).toContainEqual({ traceId: extract.traceId, spanId: extract.spanId });
    }

    // Record 2's trace: its first attempt, kept in the Object Store, and its reprocessing, each
    // a process span in the process pipeline's process, linked to the batch it was handled in.
    const reprocess = await eventually(
      async () => receiver.spans().find((s) => s.name === 'record.reprocess publish'),
      10_000,
      'the reprocessing publish',
    );
    const record = await eventually(
      async () => {
        const spans = inTrace(reprocess.traceId);
        return spans.some((s) => s.name === 'record.reprocess process') && spans;
      },
      10_000,
      "the reprocessing in record 2's trace",
    );
    const first = record.find((s) => s.name === 'record.extracted publish')!;
    expect(first, 'the record was published in this trace').toBeDefined();
    expect(recordPublishes.map((s) => s.spanId)).toContain(first.spanId);
    const attempts = record.filter((s) => s.kind === CONSUMER && s.name.endsWith(' process'));
    expect(attempts.map((s) => s.name).sort()).toEqual([
      'record.extracted process',
      'record.reprocess process',
    ]);
    for (const attempt of attempts) {
      expect(pipelinesOf(attempt)).toBe('process');
      expect(attempt.links).toHaveLength(1);
    }
    // The batch the first attempt was handled in: its own trace, with the target's HTTP POST
    // (node:http imported by an ES module: hooked by the loader main.ts registers).
    const batchLink = attempts.find((s) => s.name === 'record.extracted process')!.links[0]!;
    const batch = await eventually(
      async () => {
        const spans = inTrace(batchLink.traceId);
        return (
          spans.some((s) => s.kind === CLIENT && s.attributes['http.request.method'] === 'POST') &&
          spans
        );
      },
      10_000,
      "the target's POST in the batch's trace",
    );
    const batchSpan = batch.find((s) => s.spanId === batchLink.spanId)!;
    expect(batchSpan.attributes['messaging.batch.message_count']).toBeGreaterThan(0);
    // The batch's span links every event it handled (record 2's publish among them), and the
    // target's POST is its child: the call made for the whole batch lands in the batch's trace.
    expect(batchSpan.links).toContainEqual({ traceId: first.traceId, spanId: first.spanId });
    const post = batch.find(
      (s) => s.kind === CLIENT && s.attributes['http.request.method'] === 'POST',
    )!;
    expect(post.parentSpanId).toBe(batchSpan.spanId);

    // The reprocessing continued the trace the Object Store kept with the record.
    expect(pipelinesOf(reprocess)).toBe('extract,reprocess,error-handling');
    expect(reprocess.parentSpanId).toBe(first.spanId);
    const [entry] = await deployment.query<{ traceparent: string | null }[]>(
      "SELECT traceparent FROM object_store_entries WHERE entry_key LIKE '%/2'",
    );
    expect(entry?.traceparent).toContain(reprocess.traceId);
    // The admin API shows the entry's trace, linked by TRACE_URL_TEMPLATE.
    const listed = (await (
      await front.fetch('/api/v1/admin/object-store?store=import-records')
    ).json()) as { items: { key: string; traceId: string | null; traceUrl: string | null }[] };
    const shown = listed.items.find((item) => item.key.endsWith('/2'));
    expect(shown).toMatchObject({
      traceId: reprocess.traceId,
      traceUrl: `https://jaeger.example/trace/${reprocess.traceId}`,
    });
  });

  it('starts no SDK without the OTEL variables: nothing exported, no trace in logs or events', async () => {
    // The traced processes of the spec above go first (stopped: their last spans are sent).
    await Promise.all(deployment.apps.map((app) => app.stop()));
    const before = receiver.requests();
    // The endpoint is set, but the SDK disabled: the receiver must hear nothing from it.
    const quiet = await deployment.app('quiet', 'purchases', {
      ...peersEnv,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: 'info',
    });
    const bare = await deployment.app('bare', 'purchases', { ...peersEnv, LOG_LEVEL: 'info' });
    const card = await seedCard(deployment);
    for (const app of [quiet, bare]) expect((await buy(app, card)).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests()).toBe(before);
    for (const app of [quiet, bare]) {
      expect(app.output()).toContain('"correlationId"');
      expect(app.output()).not.toContain('"trace_id"');
    }
    const entries = (await deployment.redis
      .client()
      .xrevrange(deployment.keys.stream('purchase.completed'), '+', '-', 'COUNT', 2)) as [
      string,
      string[],
    ][];
    expect(entries).toHaveLength(2);
    for (const [, fields] of entries) expect(fields.join(' ')).not.toContain('traceparent');
  });
});
