import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../support/test-app.js';
import { HOST } from './free-ports.js';

/** OTLP's span kinds, as {@link ReceivedSpan.kind} holds them. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/** One span as the receiver decoded it, with its resource's attributes. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's numbers: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, unknown>;
}

/** An OTLP/HTTP trace receiver on loopback: what the app's exporter sent, decoded. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** How many export requests arrived (of any encoding). */
  requests(): number;
  close(): Promise<void>;
}

/**
 * Decodes OTLP/JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), whose ids the specification
 * writes as hex; a protobuf body is counted and answered, not decoded. Written here rather than
 * run as a collector: a spec needs the spans in its own hands, and the JSON mapping is small.
 */
export async function startOtlpReceiver(
  options: {
    /** Takes every request and never answers it: a collector that hangs. */
    silent?: boolean;
  } = {},
): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      if (options.silent) return;
      if (req.method === 'POST' && req.url === '/v1/traces') {
        if ((req.headers['content-type'] ?? '').includes('json')) {
          received.push(...decode(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    spans: () => [...received],
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The HTTP server span of a request to `route` (`/api/v1/purchases`), once it is received. */
export function serverSpanOf(receiver: OtlpReceiver, route: string): Promise<ReceivedSpan> {
  return eventually(
    async () =>
      receiver
        .spans()
        .find((s) => s.kind === SPAN_KIND.SERVER && s.attributes['http.route'] === route),
    15_000,
    `the HTTP server span of ${route}`,
  );
}

/** The span ids above `span` in `trace`, nearest first. */
export function ancestors(trace: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const found: string[] = [];
  for (let at = span.parentSpanId; at; at = byId.get(at)?.parentSpanId) found.push(at);
  return found;
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpKeyValue[];
        links?: { traceId: string; spanId: string }[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function decode(body: OtlpRequest): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) => {
    const resourceAttributes = attributesOf(resource?.attributes);
    return (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
        statusCode: span.status?.code ?? 0,
        resource: resourceAttributes,
      })),
    );
  });
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}
