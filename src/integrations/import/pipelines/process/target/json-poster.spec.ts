import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonPoster } from './json-poster.js';

/** A real local peer; each test says how it answers. */
let answer: (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let url: URL;
const poster = new JsonPoster();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/records`);
});
afterAll(async () => {
  poster.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('JsonPoster', () => {
  it('sends the JSON body with its headers, and discards the answer when none is asked for', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    answer = (req, body, res) => {
      seen = { headers: req.headers, body };
      res.writeHead(201).end('{"ignored":true}');
    };
    const result = await poster.post(url, { 'idempotency-key': 's:1' }, '{"a":"é"}', 2000);
    expect(result).toEqual({ status: 201, body: '', oversized: false });
    expect(seen?.body).toBe('{"a":"é"}');
    expect(seen?.headers).toMatchObject({
      'idempotency-key': 's:1',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"a":"é"}')),
    });
  });

  it('returns the answer text, whole even when a character is split across chunks', async () => {
    const euro = Buffer.from('{"v":"€"}');
    answer = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(euro.subarray(0, 7));
      setTimeout(() => res.end(euro.subarray(7)), 20);
    };
    expect(await poster.post(url, {}, '{}', 2000, 1024)).toEqual({
      status: 200,
      body: '{"v":"€"}',
      oversized: false,
    });
  });

  it('cuts off an answer declared longer than the limit without reading it', async () => {
    answer = (_req, _body, res) => res.writeHead(200).end('x'.repeat(2000));
    expect(await poster.post(url, {}, '{}', 2000, 1024)).toEqual({
      status: 200,
      body: '',
      oversized: true,
    });
  });

  it('cuts off a streamed answer once it passes the limit', async () => {
    answer = (_req, _body, res) => {
      res.writeHead(200);
      // Chunked, no length announced, and never ending on its own.
      const timer = setInterval(() => res.write('y'.repeat(300)), 5);
      res.on('close', () => clearInterval(timer));
    };
    expect(await poster.post(url, {}, '{}', 5000, 1024)).toEqual({
      status: 200,
      body: '',
      oversized: true,
    });
  });

  it('rejects when the answer does not end within the timeout', async () => {
    answer = (_req, _body, res) => res.writeHead(200).write('{"results":');
    await expect(poster.post(url, {}, '{}', 150, 1024)).rejects.toThrow();
  });

  it('rejects when no answer comes within the timeout', async () => {
    answer = () => undefined;
    await expect(poster.post(url, {}, '{}', 150)).rejects.toThrow('no answer within 150 ms');
  });

  it('rejects when the peer cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      poster.post(new URL(`http://127.0.0.1:${port}/records`), {}, '{}', 2000),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
