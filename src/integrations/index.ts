import { importIntegration } from './import/import.integration.js';
import { purchaseIntegration } from './purchase/purchase.integration.js';

/**
 * The integrations this application can run: their settings are all loaded, their migrations
 * all run, and `PIPELINES` picks among their pipelines by name, so that each can be deployed
 * and scaled on its own.
 */
export const integrations = [purchaseIntegration, importIntegration] as const;
