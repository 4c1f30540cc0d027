import { describe, expect, it } from 'vitest';
import { BackgroundWrites } from './background-writes.js';

/** A write that fails `failures` times (a database blip), then succeeds; counts its tries. */
function blip(failures: number) {
  const write = async () => {
    write.tries++;
    if (write.tries <= failures) throw new Error('connection lost');
  };
  write.tries = 0;
  return write;
}

describe('BackgroundWrites', () => {
  it('tries a failing write again until it is written', async () => {
    const writes = new BackgroundWrites();
    const write = blip(3);
    expect(await writes.keep('a delivery', write)).toBe(true);
    expect(write.tries).toBe(4);
  });

  it('gives a write one last try at shutdown, and says it was not written if that fails too', async () => {
    const writes = new BackgroundWrites();
    const write = blip(Infinity);
    const kept = writes.keep('a delivery', write);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const triesBefore = write.tries;
    await writes.beforeApplicationShutdown();
    expect(await kept).toBe(false);
    expect(write.tries).toBe(triesBefore + 1);
    // Once stopping, a new write gets one try.
    const late = blip(Infinity);
    expect(await writes.keep('another', late)).toBe(false);
    expect(late.tries).toBe(1);
  });
});
