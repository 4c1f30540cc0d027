export const AUDITED_METADATA = 'tributary:audited';

/** What `@Audited()` records about a route. */
export interface AuditedAction {
  /** e.g. `dead-letter.replay`. */
  action: string;
  /** What is acted on, e.g. `dead-letter`. */
  targetType: string;
  /** The path parameter naming the target, if any. */
  targetParam?: string;
}
