/**
 * What a caller may do: `admin` everything, `operator` read and reprocess through the
 * admin API, `integration` call the business routes.
 */
export const ROLES = ['admin', 'operator', 'integration'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
