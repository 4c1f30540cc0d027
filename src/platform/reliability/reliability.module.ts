import { Module } from '@nestjs/common';
import { ErrorStoreModule } from '../error-store/error-store.module.js';
import { NotifiersModule } from '../notifiers/notifiers.module.js';
import { OutageAlerts } from './outage-alerts.js';

/** Outages of the database or broker: one alert per episode (the bus waits them out). */
@Module({ imports: [ErrorStoreModule, NotifiersModule], providers: [OutageAlerts] })
export class ReliabilityModule {}
