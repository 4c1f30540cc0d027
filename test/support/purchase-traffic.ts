import { randomBytes } from 'node:crypto';
import type { AppProcess } from '../harness/app-process.js';
import type { Deployment } from '../harness/deployment.js';
import { purchaseRequest } from './purchases.js';

/** One `POST /api/v1/purchases` as its caller saw it. */
export interface Answer {
  status: number;
  /** The purchase id, for a 201. */
  id?: string;
  /** When it was sent (epoch ms), and how long the answer took. */
  sentAt: number;
  ms: number;
  /** The answer's headers (none for a refused connection). */
  headers?: Headers;
}

/** A card of its own, active, in EUR, with credit for any run. */
export async function seedCard(deployment: Deployment): Promise<string> {
  const token = `tok_fault_${randomBytes(5).toString('hex')}`;
  await deployment.query(
    'INSERT INTO cards (token, status, currency, credit_limit, used) VALUES (?, ?, ?, ?, 0)',
    [token, 'active', 'EUR', 2_000_000_000],
  );
  return token;
}

/** One purchase of €12.50 by a new purchaser; a refused connection counts as status 0. */
export async function buy(app: AppProcess, card: string): Promise<Answer> {
  const sentAt = Date.now();
  try {
    const response = await app.fetch('/api/v1/purchases', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(purchaseRequest(card)),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: string };
    const { status, headers } = response;
    return { status, id: body.id, sentAt, ms: Date.now() - sentAt, headers };
  } catch {
    return { status: 0, sentAt, ms: Date.now() - sentAt };
  }
}

/** Callers buying one purchase after another until stopped. */
export interface Traffic {
  readonly answers: Answer[];
  /** Resolves with every answer once `max` purchases are answered (or after `stop()`). */
  readonly finished: Promise<Answer[]>;
  /** Stops the callers and resolves with every answer, once the requests in flight are answered. */
  stop(): Promise<Answer[]>;
}

/**
 * `callers` concurrent callers, each buying, waiting `pauseMs`, buying again, until `stop()`
 * (or `max` purchases in all): steady load, bounded in count and time, on 127.0.0.1 only.
 */
export function purchaseTraffic(
  app: AppProcess,
  card: string,
  {
    callers = 4,
    pauseMs = 20,
    max = 5000,
  }: { callers?: number; pauseMs?: number; max?: number } = {},
): Traffic {
  const answers: Answer[] = [];
  let stopped = false;
  let sent = 0;
  const caller = async () => {
    while (!stopped && sent < max) {
      sent++;
      const answer = await buy(app, card);
      answers.push(answer);
      // A caller whose connection is refused (the app restarting) waits before trying again.
      await new Promise((resolve) => setTimeout(resolve, answer.status === 0 ? 200 : pauseMs));
    }
  };
  const finished = Promise.all(Array.from({ length: callers }, caller)).then(() => answers);
  return {
    answers,
    finished,
    stop: () => {
      stopped = true;
      return finished;
    },
  };
}

/** The ids of the purchases the app accepted (201). */
export const acceptedIds = (answers: Answer[]): string[] =>
  answers.filter((a) => a.status === 201 && a.id).map((a) => a.id!);

/** Buys `count` purchases, `callers` at a time. */
export function buyMany(
  app: AppProcess,
  card: string,
  count: number,
  callers = 4,
): Promise<Answer[]> {
  return purchaseTraffic(app, card, { callers, pauseMs: 0, max: count }).finished;
}
