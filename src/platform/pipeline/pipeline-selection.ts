import { ConfigError } from '../config/config.error.js';
import type { PipelinesSelection } from './pipeline.config.js';
import type { PipelineEntry } from './pipeline-definition.js';

/** The catalogue entries `PIPELINES` selects; an unknown name stops the process. */
export function selectPipelines(
  selection: PipelinesSelection,
  catalogue: readonly PipelineEntry[],
): PipelineEntry[] {
  if (selection === 'all') return [...catalogue];
  const known = new Map(catalogue.map((entry) => [entry.pipeline.name, entry]));
  const unknown = selection.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const names = [...known.keys()].join(', ') || '(none)';
    throw new ConfigError(
      `PIPELINES (pipelines): unknown pipeline ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        `expected 'all' or a comma-separated list of: ${names}`,
    );
  }
  return [...new Set(selection)].map((name) => known.get(name)!);
}
