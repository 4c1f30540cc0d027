import { describe, expect, it } from 'vitest';
import { flowContext } from '../flow-context.js';
import type { DeliveryOutcome } from './deliver.js';
import { type HandledEvent, logRetries } from './retry-log.js';

const binding = { event: 'record.extracted', maxDeliveries: 5 };

function captured(handled: HandledEvent[]) {
  const lines: { message: string; correlationId?: string }[] = [];
  const logger = {
    warn: (message: string) =>
      lines.push({ message, correlationId: flowContext.current()?.correlationId }),
  };
  logRetries(
    logger,
    binding,
    'process',
    handled.map((h) => h.outcome),
    (i) => handled[i]!,
  );
  return lines;
}

const retry = (error: string, correlationId: string): DeliveryOutcome => ({
  kind: 'retry',
  error,
  flow: { correlationId, hops: 1 },
});

describe('retry log', () => {
  it('writes one line for the events of a batch that failed together, in the first one’s flow', () => {
    const lines = captured([
      { id: '1-0', attempt: 1, outcome: retry('QueryFailedError: Deadlock', 'c-1') },
      { id: '1-1', attempt: 1, outcome: { kind: 'ack' } },
      { id: '1-2', attempt: 1, outcome: retry('QueryFailedError: Deadlock', 'c-2') },
      { id: '1-3', attempt: 1, outcome: retry('QueryFailedError: Deadlock', 'c-3') },
    ]);
    expect(lines).toEqual([
      {
        message:
          '3 record.extracted events (1-0 … 1-3) failed in process (delivery 1 of 5): QueryFailedError: Deadlock; also in flows c-2, c-3',
        correlationId: 'c-1',
      },
    ]);
  });

  it('names each other flow once, and at most twenty of them', () => {
    const sameFlow = captured(
      ['2-0', '2-1'].map((id) => ({ id, attempt: 1, outcome: retry('Down', 'import-1') })),
    );
    expect(sameFlow.map((l) => l.message)).toEqual([
      '2 record.extracted events (2-0 … 2-1) failed in process (delivery 1 of 5): Down',
    ]);
    const many = captured(
      Array.from({ length: 25 }, (_, i) => ({ attempt: 1, outcome: retry('Down', `c-${i}`) })),
    );
    expect(many[0]!.message).toMatch(/; also in flows c-1, c-2, .*, c-20 and 4 more$/);
    expect(many[0]!.correlationId).toBe('c-0');
  });

  it('keeps events apart that failed for another reason or at another delivery', () => {
    const lines = captured([
      { attempt: 1, outcome: retry('TimeoutError', 'c-1') },
      { attempt: 2, outcome: retry('TimeoutError', 'c-2') },
      { attempt: 1, outcome: retry('Refused', 'c-3') },
    ]);
    expect(lines.map((l) => l.message)).toEqual([
      'record.extracted failed in process (delivery 1 of 5): TimeoutError',
      'record.extracted failed in process (delivery 2 of 5): TimeoutError',
      'record.extracted failed in process (delivery 1 of 5): Refused',
    ]);
  });

  it('writes nothing when no event is left for redelivery', () => {
    expect(
      captured([
        { id: '1-0', attempt: 1, outcome: { kind: 'ack' } },
        {
          id: '1-1',
          attempt: 5,
          outcome: { kind: 'dead', reason: 'max-deliveries', error: 'gone' },
        },
      ]),
    ).toEqual([]);
  });
});
