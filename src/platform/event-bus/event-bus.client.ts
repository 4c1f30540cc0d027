import type { OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';

/** What the event bus transports' clients share on top of Nest's `ClientProxy`. */
export abstract class EventBusClient extends ClientProxy implements OnApplicationShutdown {
  /** Whether the broker answers; used by the readiness check. */
  abstract isHealthy(): Promise<boolean>;

  /** Last of the shutdown steps: handlers drained before this may still have published. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
