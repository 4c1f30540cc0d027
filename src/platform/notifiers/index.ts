/** Where alerts go: e-mail over SMTP and ITSM incidents. */
export { type EmailMessage, EmailNotifier } from './email.notifier.js';
export { type Incident, ItsmNotifier } from './itsm.notifier.js';
export { NotifierError, type NotifierFailure } from './notifier.error.js';
export { type NotifiersConfig, notifiersConfig } from './notifiers.config.js';
export { NotifiersModule } from './notifiers.module.js';
