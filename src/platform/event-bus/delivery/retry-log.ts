import type { LoggerService } from '@nestjs/common';
import { flowContext } from '../flow-context.js';
import type { DeliveryOutcome } from './deliver.js';
import type { TriggerBinding } from './trigger-binding.js';

/** One handled event as a transport knows it: its id (Redis Streams has one), delivery number and outcome. */
export interface HandledEvent {
  id?: string;
  attempt: number;
  outcome: DeliveryOutcome;
}

/**
 * Warns of the events left for redelivery. Events that failed together for the same reason
 * (a batch whose handler threw, a database away) make one line with their count, logged in
 * the first one's flow and naming the others' correlation ids (up to {@link MAX_FLOWS_NAMED}),
 * not one line each: an outage then logs a line per batch, not a flood. A single event's line
 * reads as it always did. Called for every read a trigger handles: `eventAt(i)` describes the
 * i-th event only when it failed, so a read that all went well costs a scan of its outcomes.
 */
export function logRetries(
  logger: Pick<LoggerService, 'warn'>,
  binding: Pick<TriggerBinding, 'event' | 'maxDeliveries'>,
  group: string,
  outcomes: DeliveryOutcome[],
  eventAt: (i: number) => { id?: string; attempt: number },
): void {
  let together: Map<string, HandledEvent[]> | undefined;
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.kind !== 'retry') continue;
    const { id, attempt } = eventAt(i);
    const reason = `${attempt}\u0000${outcome.error}`;
    together ??= new Map();
    let events = together.get(reason);
    if (!events) together.set(reason, (events = []));
    events.push({ id, attempt, outcome });
  }
  if (!together) return;
  for (const events of together.values()) {
    const [first] = events as [HandledEvent & { outcome: { kind: 'retry' } }];
    const { attempt, outcome } = first;
    const which =
      events.length === 1
        ? `${binding.event}${first.id ? ` ${first.id}` : ''}`
        : `${events.length} ${binding.event} events${first.id ? ` (${first.id} … ${events.at(-1)!.id})` : ''}`;
    flowContext.within(outcome.flow, () =>
      logger.warn(
        `${which} failed in ${group} (delivery ${attempt} of ${binding.maxDeliveries}): ${outcome.error}${otherFlows(events)}`,
      ),
    );
  }
}

/** Flows named on a grouped line besides the first one's, so that a search on any id finds it. */
const MAX_FLOWS_NAMED = 20;

/** The other correlation ids among events that failed together (an import's batch has one). */
function otherFlows(events: HandledEvent[]): string {
  const ids = new Set<string>();
  for (const { outcome } of events)
    if (outcome.kind === 'retry' && outcome.flow) ids.add(outcome.flow.correlationId);
  const others = [...ids].slice(1);
  if (others.length === 0) return '';
  const named = others.slice(0, MAX_FLOWS_NAMED);
  const more = others.length - named.length;
  return `; also in flows ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
