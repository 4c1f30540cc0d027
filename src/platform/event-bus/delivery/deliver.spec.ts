import type { MessageHandler } from '@nestjs/microservices';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/harness/free-ports.js';
import { RetryLaterError } from '../errors/retry-later.error.js';
import { createEnvelope } from '../event-envelope.js';
import type { TriggerExtras } from '../event-trigger.decorator.js';
import { deliver } from './deliver.js';
import { bindTriggers, type TriggerBinding } from './trigger-binding.js';
import { triggerSettings } from './trigger-settings.js';

/** A trigger as a transport binds it, allowed two deliveries, whose handler does `work`. */
function trigger(work: () => Promise<unknown>): TriggerBinding {
  const handler = (() => work()) as MessageHandler;
  const extras = {
    event: 'item.saved',
    pipeline: 'items',
    maxDeliveries: 2,
  } satisfies TriggerExtras;
  const settings = triggerSettings(extras, { maxDeliveries: 5, concurrency: 1, readBatchSize: 1 });
  return bindTriggers([{ ...extras, ...settings, handler: 'Items.onSaved' }], () => handler)[0]!;
}

const event = () => createEnvelope('item.saved', { id: 1 }, 'test');

describe('what a handler failure means for its event', () => {
  let database: DataSource;
  beforeAll(async () => {
    database = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    await database.query('CREATE TABLE items (id INTEGER PRIMARY KEY)');
    await database.query('INSERT INTO items VALUES (1)');
  });
  afterAll(() => database.destroy());

  it('holds an event whose database does not answer, even on its last allowed delivery', async () => {
    const port = await freePort();
    const binding = trigger(() =>
      createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 }),
    );
    expect(await deliver(binding, event(), 2)).toMatchObject({
      kind: 'outage',
      outage: { dependency: 'database', cause: 'ECONNREFUSED' },
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('still dead-letters on its last delivery an event whose own data fails (a duplicate key)', async () => {
    const binding = trigger(() => database.query('INSERT INTO items VALUES (1)'));
    expect(await deliver(binding, event(), 1)).toMatchObject({ kind: 'retry' });
    expect(await deliver(binding, event(), 2)).toMatchObject({
      kind: 'dead',
      reason: 'max-deliveries',
      error: expect.stringContaining('UNIQUE constraint failed'),
    });
  });

  it('delivers again later, uncounted, an event whose handler asks for it (RetryLaterError)', async () => {
    const binding = trigger(async () => {
      throw new RetryLaterError(1500, 'held elsewhere until its lease ends');
    });
    expect(await deliver(binding, event(), 2)).toEqual({
      kind: 'later',
      delayMs: 1500,
      error: 'RetryLaterError: held elsewhere until its lease ends',
      flow: expect.anything(),
    });
  });
});
