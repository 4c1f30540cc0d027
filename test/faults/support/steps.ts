/** Waits `ms`. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the steps in turn and says how long each took, for a scenario's notes. */
export async function timed(steps: Record<string, () => Promise<unknown>>): Promise<string> {
  const took: string[] = [];
  for (const [step, run] of Object.entries(steps)) {
    const started = Date.now();
    await run();
    took.push(`${step} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return took.join(', ');
}
