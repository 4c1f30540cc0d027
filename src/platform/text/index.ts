/** Text as the platform stores and logs it. */
export { truncate } from './truncate.js';
