import { type DynamicModule, Module } from '@nestjs/common';
import { ErrorStoreModule } from '../error-store/error-store.module.js';
import { RELIABILITY_OPTIONS } from './constants.js';
import { OutageAlerts, type ReliabilityOptions } from './outage-alerts.js';

/**
 * Outages of the database or broker: one alert per episode (the bus waits them out). Needs
 * the notifiers (`NotifiersModule.forRoot`, global).
 */
@Module({})
export class ReliabilityModule {
  static forRoot(options: ReliabilityOptions): DynamicModule {
    return {
      module: ReliabilityModule,
      imports: [ErrorStoreModule],
      providers: [{ provide: RELIABILITY_OPTIONS, useValue: options }, OutageAlerts],
    };
  }
}
