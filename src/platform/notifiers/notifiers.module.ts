import { Module } from '@nestjs/common';
import { EmailNotifier } from './email.notifier.js';
import { ItsmNotifier } from './itsm.notifier.js';

const notifiers = [EmailNotifier, ItsmNotifier];

/**
 * Where alerts go: e-mail and ITSM incidents, for error treatment and the admin API. Reads
 * `notifiers` from the application configuration (`APP_CONFIG`).
 */
@Module({ providers: notifiers, exports: notifiers })
export class NotifiersModule {}
