import { describe, expect, it } from 'vitest';
import { triggerSettings } from './trigger-settings.js';

const defaults = { maxDeliveries: 5, concurrency: 32, readBatchSize: 256 };

describe('trigger settings', () => {
  it('gives a trigger declaring nothing the bus defaults, and reads bus.readBatchSize at once', () => {
    expect(triggerSettings({}, defaults)).toEqual({
      maxDeliveries: 5,
      concurrency: 32,
      batchSize: undefined,
      readSize: 256,
    });
  });

  it('keeps what a trigger declares', () => {
    expect(triggerSettings({ maxDeliveries: 2, concurrency: 4 }, defaults)).toMatchObject({
      maxDeliveries: 2,
      concurrency: 4,
      batchSize: undefined,
    });
  });

  it('sizes a batch trigger declaring neither batchSize nor concurrency by bus.concurrency', () => {
    expect(triggerSettings({ batch: true }, defaults)).toMatchObject({
      concurrency: 32,
      batchSize: 32,
      readSize: 32,
    });
  });

  it('sizes a batch trigger by its batchSize, else by its own concurrency, and reads a batch at once', () => {
    expect(triggerSettings({ batch: true, concurrency: 8 }, defaults)).toMatchObject({
      batchSize: 8,
      readSize: 8,
    });
    expect(
      triggerSettings({ batch: true, concurrency: 8, batchSize: 500 }, defaults),
    ).toMatchObject({ concurrency: 8, batchSize: 500, readSize: 500 });
  });
});
