import type { ReadPacket, WritePacket } from '@nestjs/microservices';
import { EventBusClient } from '../../event-bus.client.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import { asDeadLetterCursor, type DeadLetterCursor } from '../../delivery/dead-letter-cursor.js';
import {
  type DeadLetterSelector,
  replayEnvelope,
  type ReplayOptions,
} from '../../delivery/replay.js';
import { DeadLetterNotFoundError } from '../../errors/dead-letter-not-found.error.js';
import type { StreamDescription } from '../../stream-description.js';
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

  async listDeadLetters(count: number, before?: string | DeadLetterCursor): Promise<DeadLetter[]> {
    const letters = this.broker.listDeadLetters();
    // Ids here are one sequence for every event, never shared: a cursor's event changes
    // nothing, and the letters after it are those before its id's position (a Redis-shaped
    // `ms-seq` id is read by its first part).
    const cursor = before === undefined ? undefined : asDeadLetterCursor(before);
    const bound = cursor === undefined ? undefined : Number(cursor.id.split('-')[0]);
    const end =
      bound === undefined ? letters.length : letters.findIndex((l) => Number(l.id) >= bound);
    return letters
      .slice(0, end === -1 ? letters.length : end)
      .slice(-count)
      .reverse();
  }

  async replayDeadLetter(id: string, options: ReplayOptions): Promise<DeadLetter> {
    const letter = this.selected(id, options);
    if (!letter) throw new DeadLetterNotFoundError(id);
    const envelope = replayEnvelope(letter, options);
    this.broker.takeDeadLetter(id);
    this.broker.publish(letter.event, JSON.stringify(envelope), letter.pipeline);
    return letter;
  }

  async deleteDeadLetter(id: string, selector: DeadLetterSelector = {}): Promise<boolean> {
    return (
      this.selected(id, selector) !== undefined && this.broker.takeDeadLetter(id) !== undefined
    );
  }

  /** In-process ids are one sequence for every event, never shared: the event only filters. */
  private selected(id: string, selector: DeadLetterSelector): DeadLetter | undefined {
    const letter = this.broker.findDeadLetter(id);
    return selector.event === undefined || letter?.event === selector.event ? letter : undefined;
  }

  async describeStreams(): Promise<StreamDescription[]> {
    return this.broker.describe();
  }

  async backlog(event: string): Promise<number> {
    return this.broker.backlog(event);
  }

  async setPaused(pipeline: string, paused: boolean): Promise<void> {
    this.broker.setPaused(pipeline, paused);
  }

  async pausedPipelines(): Promise<string[]> {
    return this.broker.pausedPipelines();
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
    callback({
      err: new Error('the event bus publishes events; it has no request-response'),
      isDisposed: true,
    });
    return () => undefined;
  }
}
