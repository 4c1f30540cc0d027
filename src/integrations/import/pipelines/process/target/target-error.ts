/** The target refused or could not take a record; `retriable` says whether a later attempt may succeed. */
export class TargetError extends Error {
  override readonly name = 'TargetError';

  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}
