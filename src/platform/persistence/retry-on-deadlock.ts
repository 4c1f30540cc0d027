/**
 * Runs a single statement again when MySQL/MariaDB chose it as a deadlock victim (1213) or it
 * timed out on a lock (1205): InnoDB has rolled the statement back, so running it again is
 * safe. Large multi-row batches running side by side (state updates of one page while the
 * next page's rows are inserted) meet in the same index ranges now and then; one retry here
 * is cheaper than failing a whole batch of handlers back to the bus.
 */
export async function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt >= attempts || !isLockConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}

/** A deadlock victim (1213) or a lock wait timeout (1205): InnoDB rolled the statement back. */
export function isLockConflict(error: unknown): boolean {
  const { errno, driverError } = error as { errno?: number; driverError?: { errno?: number } };
  const code = errno ?? driverError?.errno;
  return code === 1213 || code === 1205;
}
