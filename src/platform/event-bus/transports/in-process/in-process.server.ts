import { Logger } from '@nestjs/common';
import type { BusConfig } from '../../event-bus.config.js';
import type { BusObservers } from '../../bus-observers.js';
import { EventBusServer } from '../../event-bus.server.js';
import type { EventRegistry } from '../../registry/event-registry.js';
import type { InProcessBroker } from './in-process.broker.js';
import { ConsumerEngine } from '../../engine/consumer-engine.js';
import { InProcessSubscription } from './in-process.subscription.js';

/** Nest transport strategy for the embedded default: the bus inside this process. */
export class InProcessServer extends EventBusServer {
  private readonly log = new Logger('InProcessServer');
  private consumers: ConsumerEngine[] = [];

  constructor(
    config: BusConfig,
    drainTimeoutMs: number,
    observers: BusObservers,
    registry: EventRegistry,
    private readonly broker: InProcessBroker,
  ) {
    super(config, drainTimeoutMs, observers, registry);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const binding of this.triggerBindings()) {
        const { event, pipeline } = binding;
        const consumer = new ConsumerEngine(
          binding,
          new InProcessSubscription(this.broker, event, pipeline),
          this.config,
          this.log,
          this.observers,
          () => this.broker.isPaused(pipeline),
        );
        await consumer.start();
        this.consumers.push(consumer);
      }
    } catch (error) {
      this._status$.next('error');
      callback(error);
      return;
    }
    this._status$.next('listening');
    callback();
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.drain(timeoutMs)));
    this.consumers = [];
  }

  close(): void {
    this._status$.next('closed');
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}
