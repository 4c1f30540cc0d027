import { Injectable } from '@nestjs/common';
import type { PipelineRole } from '../../pipeline/pipeline-definition.js';
import type { PayloadType } from '../event-definition.js';

export interface TriggerRecord {
  event: string;
  pipeline: string;
  /** `Class.method` of the handler. */
  handler: string;
  /** As the trigger declares it, else the bus default (`bus.maxDeliveries`). */
  maxDeliveries: number;
  /** As the trigger declares it, else the bus default (`bus.concurrency`). */
  concurrency: number;
  /**
   * Set for a batch trigger, and only then: the most events its handler takes at once, as
   * the transports use it (the bus defaults applied when it declares none).
   */
  batchSize?: number;
  /** Events a transport reads at once: the batch size of a batch trigger, else `bus.readBatchSize`. */
  readSize: number;
  /** The DTO its payload is validated against (none for an event declared by name only). */
  payloadType?: PayloadType;
}

export interface PipelineRecord {
  name: string;
  role: PipelineRole;
  description: string;
  triggers: TriggerRecord[];
  publishes: string[];
}

export interface EventRecord {
  name: string;
  publishers: string[];
  subscribers: string[];
}

/**
 * What this process runs: its pipelines, which events each publishes and subscribes to.
 * Filled at bootstrap by the {@link EventRegistryExplorer}; read-only afterwards. The one source
 * of truth for triggers: the transports bind what it lists, and the admin API shows the same.
 */
@Injectable()
export class EventRegistry {
  private readonly pipelines = new Map<string, PipelineRecord>();

  addPipeline(record: Omit<PipelineRecord, 'triggers'>): void {
    if (this.pipelines.has(record.name)) {
      throw new Error(`pipeline '${record.name}' is registered twice`);
    }
    this.pipelines.set(record.name, { ...record, triggers: [] });
  }

  addTrigger(trigger: TriggerRecord): void {
    const pipeline = this.pipelines.get(trigger.pipeline);
    if (!pipeline) {
      throw new Error(
        `${trigger.handler} is a trigger of pipeline '${trigger.pipeline}', which this process does not run: ` +
          `import PipelineModule.register() for it in the module that declares the trigger`,
      );
    }
    // Nest would chain both methods on one delivery, run with the first one's settings: both
    // run every time, a throw in either redelivers both, and a batch trigger declared second
    // gets a plain payload. One trigger per (event, pipeline) keeps a delivery one handler's.
    const twin = pipeline.triggers.find((t) => t.event === trigger.event);
    if (twin) {
      throw new Error(
        `pipeline '${trigger.pipeline}' has two triggers on event '${trigger.event}': ${twin.handler} and ` +
          `${trigger.handler}; a pipeline takes an event through one trigger: merge them into one method`,
      );
    }
    pipeline.triggers.push(trigger);
  }

  /** Every trigger of every running pipeline: what the transports bind. */
  listTriggers(): TriggerRecord[] {
    return [...this.pipelines.values()].flatMap((pipeline) => pipeline.triggers);
  }

  listPipelines(): PipelineRecord[] {
    return [...this.pipelines.values()];
  }

  getPipeline(name: string): PipelineRecord | undefined {
    return this.pipelines.get(name);
  }

  /** Every event some running pipeline publishes or subscribes to, by name. */
  listEvents(): EventRecord[] {
    const events = new Map<string, EventRecord>();
    const record = (name: string) => {
      let event = events.get(name);
      if (!event) events.set(name, (event = { name, publishers: [], subscribers: [] }));
      return event;
    };
    for (const pipeline of this.pipelines.values()) {
      for (const name of pipeline.publishes) record(name).publishers.push(pipeline.name);
      for (const trigger of pipeline.triggers) {
        const subscribers = record(trigger.event).subscribers;
        if (!subscribers.includes(pipeline.name)) subscribers.push(pipeline.name);
      }
    }
    return [...events.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
