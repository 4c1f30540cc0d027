import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from './bootstrap.js';
import { loadAppConfig } from './config/app-config.js';
import { buildOpenApiDocument, withServer } from './platform/http/index.js';
import { integrations } from './integrations/index.js';

/**
 * `npm run openapi [file]`: writes the OpenAPI document of every route, with every pipeline,
 * for the gateway to import, its server the configured `PUBLIC_BASE_URL` when set. Needs no
 * server: an in-memory SQLite and the in-process bus.
 */
const out = resolve(process.argv[2] ?? 'openapi.json');
const config = loadAppConfig({
  // Only the public base URL is read from the environment: it is the document's server.
  env: { NODE_ENV: 'test', PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL },
  overrides: { pipelines: 'all', database: { sqlitePath: ':memory:' }, log: { level: 'silent' } },
});
const app = await createApp(config, integrations, { logger: false });
await app.init();
const document = buildOpenApiDocument(app);
const { publicBaseUrl } = config.http;
writeFileSync(
  out,
  `${JSON.stringify(publicBaseUrl ? withServer(document, publicBaseUrl) : document, null, 2)}\n`,
);
await app.close();
console.log(`OpenAPI document written to ${out}`);
