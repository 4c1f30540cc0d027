import type { ConsolePage } from './ui.tsx';

/**
 * Pages that integrations contribute (`src/integrations/<name>/console/*.page.tsx`, each
 * exporting `page`), found at build time: the console's own code names no integration.
 */
const modules = import.meta.glob<{ page: ConsolePage }>(
  '../../src/integrations/*/console/*.page.tsx',
  { eager: true },
);

export const pages: ConsolePage[] = Object.values(modules).map((m) => m.page);
