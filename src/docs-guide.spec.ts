import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { describe, expect, it } from 'vitest';

/*
 * docs/writing-a-pipeline.md walks a newcomer through the `loyalty-points` pipeline, file by
 * file. Its code blocks are checked against the repository so that the guide cannot drift:
 * a block whose first line names a file (`// src/…`) is that file, whole; a block that names an
 * excerpt (`// excerpt of …`, `<!-- excerpt of … -->`) has each of its lines in that file; and
 * every import the snippets show comes from what a pipeline may import (its folder, its
 * integration's kernel and config files, a platform module's index, test/support/index.ts, a
 * package). The pipeline's own spec (loyalty-points.e2e-spec.ts) proves the code works.
 */

const root = resolve(import.meta.dirname, '..');
const GUIDE = 'docs/writing-a-pipeline.md';
const EXAMPLE = 'src/integrations/purchase/pipelines/loyalty-points';

interface Snippet {
  lang: string;
  /** The file the block shows, relative to the root. */
  path: string;
  excerpt: boolean;
  /** The block without its naming line. */
  code: string;
  line: number;
}

function snippetsOf(markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const visit = (
    node: ReturnType<typeof fromMarkdown>['children'][number] | ReturnType<typeof fromMarkdown>,
  ) => {
    if (node.type === 'code') {
      const [first = '', ...rest] = node.value.split('\n');
      const named = /^(?:\/\/|<!--) (excerpt of )?([\w./-]+)(?: -->)?$/.exec(first);
      if (named) {
        snippets.push({
          lang: node.lang ?? '',
          path: named[2]!,
          excerpt: named[1] !== undefined,
          code: `${rest.join('\n')}\n`,
          line: node.position?.start.line ?? 0,
        });
      }
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(fromMarkdown(markdown));
  return snippets;
}

/** Spaces collapsed: a Markdown table row is the same row however Prettier pads it. */
const normal = (line: string) => line.trim().replace(/\s+/g, ' ');

/** Where an import of `from` may lead, for a pipeline of the guide. */
function allowedImport(from: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return true;
  const target = relative(root, resolve(root, dirname(from), specifier)).replace(/\.js$/, '.ts');
  return [
    new RegExp(`^${EXAMPLE}/`),
    /^src\/platform\/[^/]+\/index\.ts$/,
    /^src\/integrations\/[^/]+\/kernel\//,
    /^src\/integrations\/[^/]+\/[^/]+\.config\.ts$/,
    /^test\/support\/index\.ts$/,
  ].some((allowed) => allowed.test(target));
}

const guide = readFileSync(join(root, GUIDE), 'utf8');
const snippets = snippetsOf(guide);

describe(GUIDE, () => {
  it('shows each file of the example whole, as it is', () => {
    const wholes = snippets.filter((s) => !s.excerpt);
    const drifted = wholes
      .filter(
        (s) =>
          !existsSync(join(root, s.path)) || readFileSync(join(root, s.path), 'utf8') !== s.code,
      )
      .map((s) => `${GUIDE}:${s.line} ${s.path}`);
    expect(drifted).toEqual([]);
    const files = readdirSync(join(root, EXAMPLE), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)));
    expect(wholes.map((s) => s.path).sort()).toEqual(files.sort());
  });

  it('shows excerpts that are in their files', () => {
    const excerpts = snippets.filter((s) => s.excerpt);
    expect(excerpts.map((s) => s.path)).toEqual([
      'docs/configuration.md',
      'src/integrations/purchase/purchase.integration.ts',
    ]);
    const missing = excerpts.flatMap((s) => {
      const lines = readFileSync(join(root, s.path), 'utf8').split('\n').map(normal);
      return s.code
        .split('\n')
        .filter((line) => line.trim() !== '' && !lines.includes(normal(line)))
        .map((line) => `${s.path}: ${line.trim()}`);
    });
    expect(missing).toEqual([]);
  });

  it("imports only what a pipeline may: its folder, its kernel and config, the platform's indexes, test/support", () => {
    const imports = snippets
      .filter((s) => s.lang === 'ts' && !s.path.endsWith('.integration.ts'))
      .flatMap((s) =>
        [...s.code.matchAll(/from '([^']+)'/g)].map((m) => ({ path: s.path, specifier: m[1]! })),
      );
    expect(imports.length).toBeGreaterThan(20);
    expect(imports.filter(({ path, specifier }) => !allowedImport(path, specifier))).toEqual([]);
  });

  it('would see a drifted file, and an import behind an index or of another pipeline', () => {
    const [trigger] = snippetsOf(
      [
        '```ts',
        `// ${EXAMPLE}/loyalty-points.trigger.ts`,
        "import { EventTrigger } from '../../../../platform/event-bus/event-trigger.decorator.js';",
        '```',
      ].join('\n'),
    );
    expect(readFileSync(join(root, trigger!.path), 'utf8')).not.toBe(trigger!.code);
    expect(
      allowedImport(trigger!.path, '../../../../platform/event-bus/event-trigger.decorator.js'),
    ).toBe(false);
    expect(allowedImport(trigger!.path, '../store-receipt/receipt-sender.js')).toBe(false);
    expect(allowedImport(trigger!.path, '../../kernel/purchase-completed.event.js')).toBe(true);
  });
});
