/** The operator console: its settings and how the app serves its build. */
export { type ConsoleConfig, consoleConfig } from './console.config.js';
export { CONSOLE_BUILD, serveConsole } from './serve-console.js';
