import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { variablesOf } from '../platform/config/index.js';
import { appConfig } from './app-config.js';

const environmentVariables = variablesOf(appConfig);

const reference = readFileSync(resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

describe('environment variables', () => {
  // Operators read the configuration reference, not this file: a variable it does not list is
  // one they never set.
  it('are each documented in docs/configuration.md, with the key they set', () => {
    const undocumented = environmentVariables
      .filter(({ name, path }) => {
        const key = path.join('.');
        // A configuration table row names the key and its variable on one line.
        return !reference
          .split('\n')
          .some((line) => line.includes(`\`${name}\``) && line.includes(key.split('.').at(-1)!));
      })
      .map(({ name, path }) => `${name} (${path.join('.')})`);
    expect(undocumented).toEqual([]);
  });

  it('have unique names, each setting its own key', () => {
    const names = environmentVariables.map((v) => v.name);
    const keys = environmentVariables.map((v) => v.path.join('.'));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
