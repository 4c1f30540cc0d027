/** JSON logs with the flow's correlation ids. */
export { type LogConfig, logConfig } from './logging.config.js';
export { LoggingModule } from './logging.module.js';
