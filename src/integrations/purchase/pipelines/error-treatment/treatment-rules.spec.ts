import { describe, expect, it } from 'vitest';
import type { ErrorTreatmentRule } from './error-treatment.config.js';
import { FALLBACK_RULE, matchRule, reprocessAttemptOf, reprocessDelay } from './treatment-rules.js';

const rules: ErrorTreatmentRule[] = [
  {
    pipeline: 'store-receipt',
    code: 'smtp-unavailable',
    action: 'reprocess',
    maxReprocess: 3,
    channels: ['email'],
  },
  { pipeline: 'store-receipt', action: 'alert', channels: ['itsm'] },
  {
    code: 'database-unavailable',
    action: 'alert',
    channels: ['email', 'itsm'],
    severity: 'critical',
  },
];

describe('error treatment rules', () => {
  it('takes the first rule whose pipeline and code match', () => {
    expect(matchRule(rules, { pipeline: 'store-receipt', code: 'smtp-unavailable' })).toBe(
      rules[0],
    );
    expect(matchRule(rules, { pipeline: 'store-receipt', code: 'smtp-rejected' })).toBe(rules[1]);
    expect(matchRule(rules, { pipeline: 'store-receipt', code: 'database-unavailable' })).toBe(
      rules[1],
    );
    expect(matchRule(rules, { pipeline: 'purchases', code: 'database-unavailable' })).toBe(
      rules[2],
    );
  });

  it('alerts on every channel when no rule matches', () => {
    expect(matchRule(rules, { pipeline: 'bank-notification', code: 'notification-rejected' })).toBe(
      FALLBACK_RULE,
    );
    expect(matchRule([], { pipeline: 'x', code: 'y' })).toEqual({
      action: 'alert',
      channels: ['email', 'itsm'],
    });
  });

  it('reads the reprocessing attempt the failing pipeline reported, 0 when absent or malformed', () => {
    expect(reprocessAttemptOf({ context: { reprocessAttempt: 2 } })).toBe(2);
    expect(reprocessAttemptOf({})).toBe(0);
    expect(reprocessAttemptOf({ context: { reprocessAttempt: '2' } })).toBe(0);
    expect(reprocessAttemptOf({ context: { reprocessAttempt: -1 } })).toBe(0);
  });

  it('doubles the reprocessing delay per attempt, up to the maximum', () => {
    const config = { delayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((attempt) => reprocessDelay(attempt, config))).toEqual([
      1000, 2000, 4000, 5000,
    ]);
  });
});
