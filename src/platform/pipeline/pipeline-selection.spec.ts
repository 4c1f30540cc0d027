import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config.error.js';
import { definePipeline, type PipelineEntry } from './pipeline-definition.js';
import { selectPipelines } from './pipeline-selection.js';

class AModule {}
class BModule {}
const catalogue: PipelineEntry[] = [
  {
    pipeline: definePipeline({ name: 'extract', role: 'extraction', description: '' }),
    module: AModule,
  },
  {
    pipeline: definePipeline({ name: 'process', role: 'processing', description: '' }),
    module: BModule,
  },
];

describe('pipeline selection', () => {
  it('runs every pipeline for "all"', () => {
    expect(selectPipelines('all', catalogue).map((e) => e.module)).toEqual([AModule, BModule]);
  });

  it('runs only the named pipelines, once each', () => {
    expect(selectPipelines(['process', 'process'], catalogue).map((e) => e.module)).toEqual([
      BModule,
    ]);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => selectPipelines(['proces'], catalogue)).toThrow(ConfigError);
    expect(() => selectPipelines(['proces'], catalogue)).toThrow(
      "PIPELINES (pipelines): unknown pipeline 'proces'; expected 'all' or a comma-separated list of: extract, process",
    );
  });

  it('refuses a malformed pipeline name at definition', () => {
    expect(() =>
      definePipeline({ name: 'Store Receipt', role: 'subscriber', description: '' }),
    ).toThrow(/lower-case/);
  });
});
