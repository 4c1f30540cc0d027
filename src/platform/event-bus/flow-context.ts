import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEnvelope } from './event-envelope.js';

/**
 * Where the current code runs in a flow: set by the REST middleware from the caller's
 * correlation id, and by each trigger from the event it handles. Publishers read it so
 * that correlation, causation and hop count follow a flow without being passed by hand.
 * Node's own AsyncLocalStorage is enough here; a CLS library would add nothing we use.
 */
export interface FlowContext {
  correlationId: string;
  /** The event being handled, if any. */
  causationId?: string;
  hops: number;
}

const storage = new AsyncLocalStorage<FlowContext>();

export const flowContext = {
  current(): FlowContext | undefined {
    return storage.getStore();
  },
  run<T>(context: FlowContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  /** Runs `fn` in `context` when there is one (an event that could be parsed), else as it is. */
  within<T>(context: FlowContext | undefined, fn: () => T): T {
    return context ? storage.run(context, fn) : fn();
  },
  /** Runs `fn` outside any flow, whatever flow the caller is in. */
  outside<T>(fn: () => T): T {
    return storage.exit(fn);
  },
  /** The context in which a handler of `envelope` runs. */
  of(envelope: EventEnvelope): FlowContext {
    return { correlationId: envelope.correlationId, causationId: envelope.id, hops: envelope.hops };
  },
};
