/**
 * The event bus: events and their envelopes, publishers, triggers, and the operations the
 * admin API uses. What a pipeline needs is here; transports and delivery stay inside.
 */
export { BusObservers, type DeliveryReport, type OutageReport } from './bus-observers.js';
export { EVENT_BUS_SERVER, publisherToken } from './constants.js';
export type { DeadLetter, DeadLetterReason } from './delivery/dead-letter.js';
export {
  cursorAfter,
  type DeadLetterCursor,
  formatDeadLetterCursor,
  parseDeadLetterCursor,
} from './delivery/dead-letter-cursor.js';
export type { DeadLetterSelector, ReplayOptions } from './delivery/replay.js';
export * from './errors/index.js';
export { type BatchItem, EventBatch, EventBatchContext } from './event-batch.js';
export {
  type BusConfig,
  busConfig,
  type RetentionConfig,
  retentionOf,
  type ShutdownConfig,
  shutdownConfig,
} from './event-bus.config.js';
export { EventBusModule } from './event-bus.module.js';
export type { EventBusServer } from './event-bus.server.js';
export { EventBus, type PublishOptions } from './event-bus.js';
export {
  defineEvent,
  EVENT_NAME,
  type EventDefinition,
  type PayloadType,
} from './event-definition.js';
export { createEnvelope, type EventEnvelope } from './event-envelope.js';
export { EventTriggerContext } from './event-trigger.context.js';
export {
  EventBatchTrigger,
  type EventBatchTriggerOptions,
  EventTrigger,
  type EventTriggerOptions,
} from './event-trigger.decorator.js';
export { type FlowContext, flowContext } from './flow-context.js';
export { InjectPublisher } from './inject-publisher.decorator.js';
export { Publisher } from './publisher.js';
export { Triggers } from './triggers.decorator.js';
export {
  OldKeyLayoutError,
  oldLayoutKeys,
  type UpgradeReport,
  upgradeKeyLayout,
} from './transports/redis-streams/key-layout.js';
export { EventRegistry } from './registry/event-registry.js';
export type {
  ConsumerDescription,
  GroupDescription,
  StreamDescription,
} from './stream-description.js';
