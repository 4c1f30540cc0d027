import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/bootstrap.js';
import { integrations } from '../src/integrations/index.js';
import { captureLogs } from './support/log-lines.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { specCatalogue, testConfig } from './support/test-app.js';

/** One capture for the file: nestjs-pino keeps the first app's stream. */
const { lines, logStream } = captureLogs();

describe.each(profiles)('what the start logs on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: NestExpressApplication | undefined;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  it('maps HTTP controllers on their routes, and no event trigger as if it were one', async () => {
    const from = lines.length;
    const config = testConfig(profile, { log: { level: 'info' } });
    app = await createApp(config, specCatalogue(integrations), {
      logger: ['log', 'warn', 'error'],
      logStream,
    });
    await app.init();
    const mapped = lines
      .slice(from)
      .filter((line) => line.context === 'RoutesResolver')
      .map((line) => line.msg);
    expect(mapped).toContain('PurchasesController {/api/purchases} (version: 1):');
    expect(mapped).toContain('ImportsController {/api/imports} (version: 1):');
    expect(mapped.filter((msg) => /Trigger/.test(msg ?? ''))).toEqual([]);
  });
});
