/** No dead letter has this id (never existed, replayed already, or trimmed by retention). */
export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';

  constructor(readonly id: string) {
    super(`no dead letter with id '${id}'`);
  }
}
