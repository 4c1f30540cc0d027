import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { composeDefaults, composeSchema } from './compose-config.js';
import { defineConfig } from './config-fragment.js';
import { settingsOf } from './load-config.js';

const flow = defineConfig({
  key: 'flow',
  schema: z.object({ sources: z.array(z.string()) }).strict(),
  defaults: { sources: ['a'] },
});
const step = defineConfig({
  key: 'flow.step',
  schema: z.object({ limit: z.number().int().positive() }).strict(),
  defaults: { limit: 10 },
  env: { limit: { name: 'FLOW_STEP_LIMIT', parse: 'integer' } },
  check: ({ limit }, config: { flow: { sources: string[] } }, report) => {
    if (limit < config.flow.sources.length) report(['limit'], 'below the number of sources');
  },
});

describe('composing configuration fragments', () => {
  it('puts each fragment at its key, a fragment below another inside it', () => {
    const schema = composeSchema([flow, step]);
    expect(schema.parse(composeDefaults([flow, step]))).toEqual({
      flow: { sources: ['a'], step: { limit: 10 } },
    });
    // Strict at every level: a key nobody declared is refused.
    expect(schema.safeParse({ flow: { sources: [], step: { limit: 1 }, stpe: 1 } }).success).toBe(
      false,
    );
  });

  it("reports a cross-fragment check at the checking fragment's key", () => {
    const result = composeSchema([flow, step]).safeParse({
      flow: { sources: ['a', 'b'], step: { limit: 1 } },
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['flow', 'step', 'limit'],
        message: 'below the number of sources',
      }),
    ]);
  });

  it('gives each variable the absolute key it sets', () => {
    expect(step.variables).toEqual([
      { name: 'FLOW_STEP_LIMIT', parse: 'integer', path: ['flow', 'step', 'limit'] },
    ]);
  });

  it('refuses two fragments claiming one key', () => {
    const again = defineConfig({ key: 'flow.step', schema: z.number() });
    expect(() => composeSchema([flow, step, again])).toThrow(
      /two configuration fragments claim 'flow.step'/,
    );
    const inside = defineConfig({ key: 'flow.sources', schema: z.number() });
    expect(() => composeSchema([flow, inside])).toThrow(
      /'flow.sources' is declared by two fragments/,
    );
  });

  it("gives one fragment's settings from its defaults, validated", () => {
    expect(settingsOf(step)).toEqual({ limit: 10 });
    expect(settingsOf(step, { limit: 3 })).toEqual({ limit: 3 });
    expect(() => settingsOf(step, { limit: -1 })).toThrow(/flow\.step\.limit/);
  });
});
