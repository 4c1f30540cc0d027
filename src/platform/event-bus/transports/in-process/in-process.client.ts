import type { ReadPacket, WritePacket } from '@nestjs/microservices';
import { EventBusClient } from '../../event-bus.client.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import type { EventEnvelope } from '../../event-envelope.js';
import type { InProcessBroker } from './in-process.broker.js';

/** Publishing side of the in-process transport. */
export class InProcessClient extends EventBusClient {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  async connect(): Promise<void> {}

  close(): void {}

  async isHealthy(): Promise<boolean> {
    return true;
  }

  async listDeadLetters(count: number): Promise<DeadLetter[]> {
    return this.broker.listDeadLetters().slice(-count).reverse();
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  override on(): never {
    throw new Error('the event bus client has no events to listen to');
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket<EventEnvelope>): Promise<T> {
    this.broker.publish(packet.pattern as string, JSON.stringify(packet.data));
    return undefined as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('the event bus publishes events; it has no request-response'), isDisposed: true });
    return () => undefined;
  }
}
