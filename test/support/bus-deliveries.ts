import type { INestApplication } from '@nestjs/common';
import { EVENT_BUS_CLIENT } from '../../src/platform/event-bus/constants.js';
import type { EventBusClient } from '../../src/platform/event-bus/event-bus.client.js';
import {
  BusObservers,
  type DeliveryReport,
  type EventEnvelope,
} from '../../src/platform/event-bus/index.js';

/**
 * What the app's bus delivered from now on: `acked(event, pipeline)` counts the deliveries a
 * pipeline's trigger finished (acknowledged), handled or skipped: the way to know a duplicate
 * reached a trigger when its handling leaves nothing to see.
 */
export function watchDeliveries(app: INestApplication) {
  const reports: DeliveryReport[] = [];
  app.get(BusObservers).add({ delivered: (report) => reports.push(report) });
  return {
    reports,
    acked: (event: string, pipeline: string) =>
      reports.filter((r) => r.event === event && r.pipeline === pipeline && r.outcome === 'ack')
        .length,
  };
}

/**
 * Delivers `envelope` again, same event id and all, as the bus does when a consumer died
 * between its handling and its acknowledgement.
 */
export async function redeliver(app: INestApplication, envelope: EventEnvelope): Promise<void> {
  await app.get<EventBusClient>(EVENT_BUS_CLIENT).dispatch(envelope);
}
