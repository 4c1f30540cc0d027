/** How a variable's text becomes a setting. */
export type VariableParse = 'string' | 'integer' | 'boolean' | 'list' | 'pipelines';

/**
 * An environment variable operators set, mapped onto a configuration key. Variables override
 * the files in `config/`. Each fragment declares its own (see `defineConfig`).
 */
export interface EnvironmentVariable {
  name: string;
  path: readonly string[];
  parse: VariableParse;
  /**
   * A secret is refused in a configuration file: `value`, always; `url-credentials`, when
   * the URL carries a user or password.
   */
  secret?: 'value' | 'url-credentials';
}
