import { describe, expect, it, vi } from 'vitest';
import { ObjectStoreDiscards } from './object-store-discards.js';

describe('ObjectStoreDiscards', () => {
  it("tells a store's listeners, in order, and no other store's", async () => {
    const discards = new ObjectStoreDiscards();
    const calls: string[] = [];
    discards.onDiscard('a', async (keys) => void calls.push(`first ${keys.join(',')}`));
    discards.onDiscard('a', async (keys) => void calls.push(`second ${keys.join(',')}`));
    discards.onDiscard('b', async (keys) => void calls.push(`b ${keys.join(',')}`));

    await discards.notify('a', ['k1', 'k2']);
    expect(calls).toEqual(['first k1,k2', 'second k1,k2']);
  });

  it('tells nobody about no keys, and nothing about a store without listeners', async () => {
    const discards = new ObjectStoreDiscards();
    const listener = vi.fn(async () => {});
    discards.onDiscard('a', listener);
    await discards.notify('a', []);
    await discards.notify('other', ['k']);
    expect(listener).not.toHaveBeenCalled();
  });

  it('throws what a listener throws, and stops there', async () => {
    const discards = new ObjectStoreDiscards();
    const after = vi.fn(async () => {});
    discards.onDiscard('a', async () => {
      throw new Error('database down');
    });
    discards.onDiscard('a', after);
    await expect(discards.notify('a', ['k'])).rejects.toThrow('database down');
    expect(after).not.toHaveBeenCalled();
  });

  it('forgets an unregistered listener', async () => {
    const discards = new ObjectStoreDiscards();
    const listener = vi.fn(async () => {});
    const stop = discards.onDiscard('a', listener);
    stop();
    await discards.notify('a', ['k']);
    expect(listener).not.toHaveBeenCalled();
  });
});
