import type { ErrorTreatmentConfig, ErrorTreatmentRule } from './error-treatment.config.js';
import type { PipelineError } from '../../../../platform/error-store/index.js';
import { backoff } from '../../../../platform/reliability/index.js';

/** Used when no configured rule matches: tell support by every channel. */
export const FALLBACK_RULE: ErrorTreatmentRule = { action: 'alert', channels: ['email', 'itsm'] };

/** The first rule whose pipeline and code (each optional) match the error. */
export function matchRule(
  rules: readonly ErrorTreatmentRule[],
  error: Pick<PipelineError, 'pipeline' | 'code'>,
): ErrorTreatmentRule {
  return (
    rules.find(
      (rule) =>
        (rule.pipeline === undefined || rule.pipeline === error.pipeline) &&
        (rule.code === undefined || rule.code === error.code),
    ) ?? FALLBACK_RULE
  );
}

/** How many times this error's input was already reprocessed: the failing pipeline reports it back. */
export function reprocessAttemptOf(error: Pick<PipelineError, 'context'>): number {
  const attempt = error.context?.reprocessAttempt;
  return typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? attempt : 0;
}

/** Wait before reprocessing attempt `attempt` (1, 2, …): doubling from `delayMs`, at most `maxDelayMs`. */
export function reprocessDelay(
  attempt: number,
  reprocess: ErrorTreatmentConfig['reprocess'],
): number {
  return backoff(attempt, reprocess.delayMs, reprocess.maxDelayMs);
}
