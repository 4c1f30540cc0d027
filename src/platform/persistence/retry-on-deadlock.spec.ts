import { describe, expect, it } from 'vitest';
import { retryOnDeadlock } from './retry-on-deadlock.js';

const lockError = (errno: number) =>
  Object.assign(new Error('Deadlock found when trying to get lock'), { errno });

describe('retryOnDeadlock', () => {
  it('runs a statement again when it was a deadlock victim or timed out on a lock', async () => {
    const failures = [lockError(1213), lockError(1205)];
    let calls = 0;
    const result = await retryOnDeadlock(async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'done';
    });
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  it('gives up after the attempts and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls++;
        throw lockError(1213);
      }, 2),
    ).rejects.toThrow('Deadlock');
    expect(calls).toBe(2);
  });

  it('does not retry any other error (TypeORM wraps the driver error)', async () => {
    let calls = 0;
    const other = Object.assign(new Error('Duplicate entry'), { driverError: { errno: 1062 } });
    await expect(
      retryOnDeadlock(async () => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
