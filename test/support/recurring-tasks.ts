import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

/**
 * Runs one recurring task now, as an operator does (`POST /admin/reprocessing/run`), and
 * checks that this run succeeded: a spec's task may run only when the spec asks.
 */
export async function runTaskNow(app: TestApp, task: string): Promise<void> {
  const { body } = await app
    .as('operator')
    .post('/api/v1/admin/reprocessing/run')
    .send({ task })
    .expect(200);
  expect(body).toHaveLength(1);
  expect(body[0]).toMatchObject({ name: task, running: false });
  expect(body[0].lastRuns[0]).toMatchObject({ trigger: 'manual', outcome: 'succeeded' });
}
