import { describe, expect, it } from 'vitest';
import { EventRegistry } from './event-registry.js';

/** What the explorer records for a trigger declaring nothing, with bus defaults 5 and 16. */
const settings = { maxDeliveries: 5, concurrency: 16, readSize: 256 };

describe('event registry', () => {
  function registry() {
    const r = new EventRegistry();
    r.addPipeline({
      name: 'purchases',
      role: 'business-rule',
      description: '',
      publishes: ['purchase.completed'],
    });
    r.addPipeline({
      name: 'store-receipt',
      role: 'subscriber',
      description: '',
      publishes: ['purchase-flow.error'],
    });
    r.addPipeline({
      name: 'bank-notification',
      role: 'subscriber',
      description: '',
      publishes: ['purchase-flow.error'],
    });
    r.addTrigger({
      event: 'purchase.completed',
      pipeline: 'store-receipt',
      handler: 'ReceiptTrigger.on',
      ...settings,
    });
    r.addTrigger({
      event: 'purchase.completed',
      pipeline: 'bank-notification',
      handler: 'NotificationTrigger.on',
      ...settings,
    });
    return r;
  }

  it('lists every event with who publishes and who subscribes', () => {
    expect(registry().listEvents()).toEqual([
      {
        name: 'purchase-flow.error',
        publishers: ['store-receipt', 'bank-notification'],
        subscribers: [],
      },
      {
        name: 'purchase.completed',
        publishers: ['purchases'],
        subscribers: ['store-receipt', 'bank-notification'],
      },
    ]);
  });

  it('keeps each pipeline with its triggers', () => {
    const receipt = registry().getPipeline('store-receipt');
    expect(receipt?.triggers).toEqual([
      {
        event: 'purchase.completed',
        pipeline: 'store-receipt',
        handler: 'ReceiptTrigger.on',
        ...settings,
      },
    ]);
    expect(
      registry()
        .listPipelines()
        .map((p) => p.name),
    ).toEqual(['purchases', 'store-receipt', 'bank-notification']);
  });

  it('refuses a second trigger of a pipeline on one event, naming both handlers', () => {
    const r = registry();
    expect(() =>
      r.addTrigger({
        event: 'purchase.completed',
        pipeline: 'store-receipt',
        handler: 'Other.on',
        ...settings,
      }),
    ).toThrow(
      "pipeline 'store-receipt' has two triggers on event 'purchase.completed': ReceiptTrigger.on and Other.on",
    );
    expect(r.listTriggers().map((t) => t.handler)).toEqual([
      'ReceiptTrigger.on',
      'NotificationTrigger.on',
    ]);
  });

  it('refuses a trigger of a pipeline this process does not run, naming the handler', () => {
    expect(() =>
      registry().addTrigger({
        event: 'x',
        pipeline: 'typo-pipeline',
        handler: 'Broken.on',
        ...settings,
      }),
    ).toThrow(/Broken\.on is a trigger of pipeline 'typo-pipeline'/);
  });

  it('refuses a pipeline registered twice', () => {
    const r = registry();
    expect(() =>
      r.addPipeline({ name: 'purchases', role: 'business-rule', description: '', publishes: [] }),
    ).toThrow(/twice/);
  });
});
