import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from './bootstrap.js';
import { loadConfig } from './config/load-config.js';
import { buildOpenApiDocument } from './platform/http/openapi.js';
import { pipelineCatalogue } from './pipelines/index.js';

/**
 * `npm run openapi [file]`: writes the OpenAPI document of every route, with every pipeline,
 * for the gateway to import. Needs no server: an in-memory SQLite and the in-process bus.
 */
const out = resolve(process.argv[2] ?? 'openapi.json');
const config = loadConfig({
  env: { NODE_ENV: 'test' },
  overrides: { pipelines: 'all', database: { sqlitePath: ':memory:' }, log: { level: 'silent' } },
});
const app = await createApp(config, pipelineCatalogue, { logger: false });
await app.init();
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
await app.close();
console.log(`OpenAPI document written to ${out}`);
