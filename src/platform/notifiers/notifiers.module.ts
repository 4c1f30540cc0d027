import { type DynamicModule, Module } from '@nestjs/common';
import { NOTIFIERS_OPTIONS } from './constants.js';
import { EmailNotifier } from './email.notifier.js';
import { ItsmNotifier } from './itsm.notifier.js';
import type { NotifiersConfig } from './notifiers.config.js';

const notifiers = [EmailNotifier, ItsmNotifier];

/**
 * Where alerts go: e-mail and ITSM incidents, for error treatment, outage alerts and the admin
 * API. Configured once by the application and global: one SMTP transport per process.
 */
@Module({})
export class NotifiersModule {
  static forRoot(options: NotifiersConfig): DynamicModule {
    return {
      module: NotifiersModule,
      global: true,
      providers: [{ provide: NOTIFIERS_OPTIONS, useValue: options }, ...notifiers],
      exports: notifiers,
    };
  }
}
