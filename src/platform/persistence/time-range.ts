import { Between, type FindOperator, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';

/** A `where` condition for a time column within [from, to]; undefined when neither bound is set. */
export function withinTimeRange(from?: Date, to?: Date): FindOperator<Date> | undefined {
  if (from && to) return Between(from, to);
  if (from) return MoreThanOrEqual(from);
  if (to) return LessThanOrEqual(to);
  return undefined;
}
