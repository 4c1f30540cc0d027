/**
 * A pipeline's name: lower-case words joined by dashes (`store-receipt`). It names the consumer
 * group of its triggers and appears in admin paths, config and error records: every place
 * that checks one uses this pattern.
 */
export const PIPELINE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
