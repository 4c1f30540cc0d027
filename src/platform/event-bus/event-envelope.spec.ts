import { describe, expect, it } from 'vitest';
import { createEnvelope, MalformedEnvelopeError, parseEnvelope } from './event-envelope.js';

describe('event envelope', () => {
  it('starts a new flow when it has no origin', () => {
    const envelope = createEnvelope('order.placed', { id: 1 }, 'orders');
    expect(envelope).toMatchObject({
      name: 'order.placed',
      payload: { id: 1 },
      source: 'orders',
      hops: 0,
    });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.correlationId).not.toBe(envelope.id);
    expect(envelope).not.toHaveProperty('causationId');
    expect(Number.isNaN(Date.parse(envelope.publishedAt))).toBe(false);
  });

  it('continues a flow: same correlation, caused by the handled event, one hop on', () => {
    const envelope = createEnvelope('order.shipped', {}, 'shipping', {
      correlationId: 'c-1',
      causationId: 'e-1',
      hops: 3,
    });
    expect(envelope).toMatchObject({ correlationId: 'c-1', causationId: 'e-1', hops: 3 });
  });

  it('reads back what it wrote', () => {
    const envelope = createEnvelope('order.placed', { nested: { list: [1, 2] } }, 'orders', {
      causationId: 'x',
    });
    expect(parseEnvelope(JSON.stringify(envelope))).toEqual(envelope);
  });

  it.each([
    ['not JSON', '{oops', 'not valid JSON'],
    ['not an object', '"text"', 'not a JSON object'],
    [
      'no id',
      JSON.stringify({
        name: 'a',
        correlationId: 'c',
        source: 's',
        publishedAt: 't',
        hops: 0,
        payload: {},
      }),
      'no id',
    ],
    [
      'negative hops',
      JSON.stringify({
        id: 'i',
        name: 'a',
        correlationId: 'c',
        source: 's',
        publishedAt: 't',
        hops: -1,
        payload: {},
      }),
      'hops',
    ],
    [
      'no payload',
      JSON.stringify({
        id: 'i',
        name: 'a',
        correlationId: 'c',
        source: 's',
        publishedAt: 't',
        hops: 0,
      }),
      'no payload',
    ],
  ])('refuses %s', (_case, raw, message) => {
    expect(() => parseEnvelope(raw)).toThrow(MalformedEnvelopeError);
    expect(() => parseEnvelope(raw)).toThrow(message);
  });
});
