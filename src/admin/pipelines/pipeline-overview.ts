import { Injectable } from '@nestjs/common';
import { EventBus, EventRegistry } from '../../platform/event-bus/index.js';
import type { PipelineView, TopologyView } from './pipelines.dto.js';

/**
 * Pipelines as an operator sees them: what this process's registry knows (role, triggers,
 * publishers) joined with what the broker knows (groups, pending, lag, consumers), so that
 * pipelines run by other processes appear too.
 */
@Injectable()
export class PipelineOverview {
  constructor(
    private readonly registry: EventRegistry,
    private readonly bus: EventBus,
  ) {}

  async list(): Promise<PipelineView[]> {
    const [streams, paused] = await Promise.all([
      this.bus.describeStreams(),
      this.bus.pausedPipelines(),
    ]);
    const views = new Map<string, PipelineView>();
    for (const record of this.registry.listPipelines()) {
      views.set(record.name, {
        name: record.name,
        role: record.role,
        description: record.description,
        runsHere: true,
        paused: paused.includes(record.name),
        triggers: record.triggers.map(
          ({ event, handler, maxDeliveries, concurrency, batchSize }) => ({
            event,
            handler,
            maxDeliveries,
            concurrency,
            batchSize,
          }),
        ),
        publishes: [...record.publishes],
        subscriptions: [],
        liveInstances: 0,
      });
    }
    const live = new Map<string, Set<string>>();
    for (const stream of streams) {
      for (const group of stream.groups) {
        let view = views.get(group.pipeline);
        if (!view) {
          view = {
            name: group.pipeline,
            runsHere: false,
            paused: paused.includes(group.pipeline),
            triggers: [],
            publishes: [],
            subscriptions: [],
            liveInstances: 0,
          };
          views.set(group.pipeline, view);
        }
        view.subscriptions.push({
          event: stream.event,
          pending: group.pending,
          lag: group.lag,
          consumers: group.consumers,
        });
        const names = live.get(group.pipeline) ?? new Set<string>();
        for (const consumer of group.consumers)
          if (this.bus.isLive(consumer)) names.add(consumer.name);
        live.set(group.pipeline, names);
      }
    }
    for (const view of views.values()) view.liveInstances = live.get(view.name)?.size ?? 0;
    return [...views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<PipelineView | undefined> {
    return (await this.list()).find((view) => view.name === name);
  }

  topology(): TopologyView {
    return {
      pipelines: this.registry.listPipelines().map(({ name, role }) => ({ name, role })),
      events: this.registry.listEvents(),
    };
  }

  /** The topology as a Mermaid flowchart: pipelines as boxes, events as stadiums, arrows as data flows. */
  mermaid(): string {
    const { pipelines, events } = this.topology();
    const id = (kind: 'p' | 'e', name: string) => `${kind}_${name.replace(/[^a-z0-9]/g, '_')}`;
    const lines = ['flowchart LR'];
    for (const p of pipelines)
      lines.push(`  ${id('p', p.name)}["${p.name}<br/><small>${p.role}</small>"]`);
    for (const e of events) lines.push(`  ${id('e', e.name)}(["${e.name}"])`);
    for (const e of events) {
      for (const publisher of e.publishers)
        lines.push(`  ${id('p', publisher)} --> ${id('e', e.name)}`);
      for (const subscriber of e.subscribers)
        lines.push(`  ${id('e', e.name)} --> ${id('p', subscriber)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
