import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from './event-envelope.js';

type Args = [envelope: EventEnvelope, attempt: number, pipeline: string];

/** Second argument of every trigger handler: the envelope and this delivery's details. */
export class EventTriggerContext extends BaseRpcContext<Args> {
  getEnvelope(): EventEnvelope {
    return this.args[0];
  }

  /** 1 on first delivery, then 2, 3… on redeliveries. */
  getAttempt(): number {
    return this.args[1];
  }

  getPipeline(): string {
    return this.args[2];
  }
}
