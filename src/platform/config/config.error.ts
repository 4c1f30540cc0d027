/** A configuration value is missing or malformed; the message names the key and the expected form. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
