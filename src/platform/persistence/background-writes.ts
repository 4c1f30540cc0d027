import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { retryDelay } from '../reliability/backoff.js';

/** Waits between tries: from 100 ms, doubling, at most 2 s (a blip ends in seconds). */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Writes that a database blip must not lose and that nobody waits for (a delivery sent but
 * not yet recorded, a record whose event was dead-lettered): each is tried again, with
 * doubling waits, for as long as the process lives. At shutdown, before the database is
 * closed, each gets one last try; what is still unwritten is logged as an error, by what it was.
 */
@Injectable()
export class BackgroundWrites implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BackgroundWrites');
  private readonly waiting = new Set<() => void>();
  private readonly inFlight = new Set<Promise<boolean>>();
  private stopping = false;

  /** Resolves true once written, false if the process stopped first; never rejects. */
  keep(what: string, write: () => Promise<unknown>): Promise<boolean> {
    const kept = this.tryUntilWritten(what, write);
    this.inFlight.add(kept);
    void kept.finally(() => this.inFlight.delete(kept));
    return kept;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const wake of this.waiting) wake();
    await Promise.all(this.inFlight);
  }

  private async tryUntilWritten(what: string, write: () => Promise<unknown>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        if (attempt > 1) this.logger.log(`${what}: written after ${attempt} tries`);
        return true;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (this.stopping) {
          this.logger.error(`${what}: not written before shutdown: ${reason}`);
          return false;
        }
        if (attempt === 1) this.logger.warn(`${what}: ${reason}; trying again until it is written`);
        await this.pause(retryDelay(attempt, BASE_DELAY_MS, MAX_DELAY_MS));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiting.add(wake);
    });
  }
}
