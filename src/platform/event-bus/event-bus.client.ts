import type { OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { DeadLetter } from './delivery/dead-letter.js';

/** What the event bus transports' clients share on top of Nest's `ClientProxy`. */
export abstract class EventBusClient extends ClientProxy implements OnApplicationShutdown {
  /** Whether the broker answers; used by the readiness check. */
  abstract isHealthy(): Promise<boolean>;

  /** The newest dead letters first, at most `count`. */
  abstract listDeadLetters(count: number): Promise<DeadLetter[]>;

  /** Last of the shutdown steps: handlers drained before this may still have published. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
