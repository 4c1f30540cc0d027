import { isEmail } from 'class-validator';

/** What the reference integration writes to its target for one source record. */
export interface TargetRecord {
  importId: string;
  source: string;
  key: string;
  name: string;
  email: string;
  amountCents: number;
}

/** The record breaks the business rule: trying again cannot help. */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';

  constructor(readonly violations: string[]) {
    super(`invalid record: ${violations.join('; ')}`);
  }
}

/**
 * The reference integration's business rule: a record needs a name, a valid e-mail and a
 * non-negative amount (a number, or a decimal string as MySQL gives DECIMAL columns); the
 * amount is written in cents.
 */
export function applyBusinessRule(
  importId: string,
  source: string,
  key: string,
  data: Record<string, unknown>,
): TargetRecord {
  const violations: string[] = [];
  const name = typeof data.name === 'string' ? data.name.trim() : '';
  if (name.length === 0 || name.length > 200)
    violations.push('name must be a non-empty text of at most 200 characters');
  const email = typeof data.email === 'string' ? data.email.trim() : '';
  if (!isEmail(email) || email.length > 254)
    violations.push('email must be a valid e-mail address');
  const amount =
    typeof data.amount === 'string' && /^-?\d+(\.\d+)?$/.test(data.amount)
      ? Number(data.amount)
      : data.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || amount > 1e13) {
    violations.push('amount must be a non-negative number');
  }
  if (violations.length > 0) throw new InvalidRecordError(violations);
  return { importId, source, key, name, email, amountCents: Math.round((amount as number) * 100) };
}
