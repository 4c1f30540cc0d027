import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toString } from 'mdast-util-to-string';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * The README and docs/ link to each other and to the code by relative paths and heading
 * anchors: this spec keeps every one of them leading somewhere. remark-validate-links does the
 * same, but through its API it never checks a heading in another file (only its CLI does), and
 * that is the link a moved section breaks; so the walk is ours, on a CommonMark parser and
 * GitHub's own slugs.
 */

const root = resolve(import.meta.dirname, '..');

/**
 * Pages another branch brings, already linked: a link to one is accepted while it is missing,
 * and checked like any other (its anchors too) once it exists. Remove an entry once it landed.
 */
const arriving = ['docs/fault-suite.md'];

/** The few fields of a Markdown syntax tree node this check reads. */
interface MarkdownNode {
  type: string;
  url?: string;
  value?: string;
  children?: MarkdownNode[];
  position?: { start: { line: number } };
}

interface BrokenLink {
  /** The page and line the link is written on, e.g. `docs/operations.md:12`. */
  at: string;
  target: string;
  problem: string;
}

/** README.md and every page of docs/, relative to `base`. */
function manualPages(base: string): string[] {
  const docs = join(base, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs).filter((name) => name.endsWith('.md')) : [];
  return ['README.md', ...pages.sort().map((name) => `docs/${name}`)];
}

function* walk(node: MarkdownNode): Generator<MarkdownNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

/** The anchors GitHub gives a page's headings (`-1`, `-2`… after a repeated one). */
function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const node of walk(fromMarkdown(markdown))) {
    if (node.type === 'heading') anchors.add(slugger.slug(toString(node)));
  }
  return anchors;
}

/** Links, images and link definitions that stay in the repository (no scheme, no `//`). */
function localLinksOf(markdown: string): { url: string; line: number }[] {
  const links: { url: string; line: number }[] = [];
  for (const node of walk(fromMarkdown(markdown))) {
    if (!['link', 'image', 'definition'].includes(node.type) || node.url === undefined) continue;
    if (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(node.url)) continue;
    links.push({ url: node.url, line: node.position?.start.line ?? 0 });
  }
  return links;
}

/** Where a path named in backticks may lead: the repository's own folders. */
const REPOSITORY_PATH = /^(?:\.\/)?(?:src|test|config|migrations|bench|docs)\//;

/**
 * Repository paths written in backticks (`src/platform/event-bus`, `test/support/index.ts`)
 * that name nothing: a folder moved and the prose kept its old name. Code blocks are examples,
 * not checked here. A path with a placeholder or a glob (`src/integrations/<name>/`,
 * `config/<NODE_ENV>.json`, `test/**`) is checked up to it: the folder before it must exist.
 */
function missingPaths(base: string, pages: string[]): BrokenLink[] {
  const missing: BrokenLink[] = [];
  for (const page of pages) {
    for (const node of walk(fromMarkdown(readFileSync(join(base, page), 'utf8')))) {
      const value = node.type === 'inlineCode' ? node.value?.trim() : undefined;
      if (!value || /\s/.test(value) || !REPOSITORY_PATH.test(value)) continue;
      const placeholder = value.search(/[<*{]/);
      const path =
        placeholder === -1 ? value : value.slice(0, value.lastIndexOf('/', placeholder) + 1);
      if (!existsSync(join(base, path))) {
        missing.push({
          at: `${page}:${node.position?.start.line ?? 0}`,
          target: value,
          problem: `no file or folder ${path}`,
        });
      }
    }
  }
  return missing;
}

/** Every relative link of `pages` (paths relative to `base`) that leads to no file or heading. */
function brokenLinks(base: string, pages: string[]): BrokenLink[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    if (!anchors.has(file)) anchors.set(file, anchorsOf(readFileSync(file, 'utf8')));
    return anchors.get(file)!;
  };
  const broken: BrokenLink[] = [];
  for (const page of pages) {
    const file = join(base, page);
    for (const { url, line } of localLinksOf(readFileSync(file, 'utf8'))) {
      const at = `${page}:${line}`;
      const [path = '', hash] = url.split('#', 2);
      const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(target)) {
        broken.push({ at, target: url, problem: `no file ${relative(base, target)}` });
      } else if (hash !== undefined && target.endsWith('.md')) {
        const anchor = decodeURIComponent(hash);
        if (!anchorsIn(target).has(anchor)) {
          broken.push({ at, target: url, problem: `no heading #${anchor}` });
        }
      }
    }
  }
  return broken;
}

describe('the links of the README and docs/', () => {
  it('each lead to an existing file, and to an existing heading when they name one', () => {
    const awaited = new Set(arriving.map((page) => `no file ${page}`));
    const broken = brokenLinks(root, manualPages(root)).filter((b) => !awaited.has(b.problem));
    expect(broken).toEqual([]);
  });

  it('name repository paths in backticks that exist', () => {
    expect(missingPaths(root, manualPages(root))).toEqual([]);
  });

  describe('the check', () => {
    let folder: string | undefined;
    afterEach(() => {
      if (folder) rmSync(folder, { recursive: true, force: true });
      folder = undefined;
    });

    it('reports a missing file, a missing heading in the page or another one, and nothing else', () => {
      folder = mkdtempSync(join(tmpdir(), 'tributary-docs-links-'));
      mkdirSync(join(folder, 'docs'));
      // GitHub drops the colon and numbers a repeated heading.
      writeFileSync(join(folder, 'docs', 'guide.md'), '# Guide\n\n## The bus: Redis Streams\n');
      writeFileSync(
        join(folder, 'README.md'),
        [
          '# Front door',
          '## Run `npm start`',
          '## Run `npm start`',
          'Fine: [a](docs/guide.md), [b](docs/guide.md#the-bus-redis-streams), [c](#run-npm-start-1),',
          '[d](https://example.com/#none), [e](mailto:ops@example.com), [f](docs/), `[g](none.md)`.',
          'Broken: [h](docs/missing.md), [i](docs/guide.md#no-such-part), [j](#run-npm-start-2).',
          '',
          '```md',
          '[k](inside-a-code-block.md)',
          '```',
          '',
          '[l]: docs/gone.md',
        ].join('\n'),
      );

      expect(brokenLinks(folder, manualPages(folder))).toEqual([
        { at: 'README.md:6', target: 'docs/missing.md', problem: 'no file docs/missing.md' },
        {
          at: 'README.md:6',
          target: 'docs/guide.md#no-such-part',
          problem: 'no heading #no-such-part',
        },
        { at: 'README.md:6', target: '#run-npm-start-2', problem: 'no heading #run-npm-start-2' },
        { at: 'README.md:12', target: 'docs/gone.md', problem: 'no file docs/gone.md' },
      ]);
    });

    it('reports a backticked path that names nothing, checking a placeholder up to it', () => {
      folder = mkdtempSync(join(tmpdir(), 'tributary-docs-paths-'));
      mkdirSync(join(folder, 'src', 'integrations'), { recursive: true });
      writeFileSync(join(folder, 'src', 'main.ts'), '');
      writeFileSync(
        join(folder, 'README.md'),
        [
          '# Paths',
          'Fine: `src/main.ts`, `src/integrations/`, `src/integrations/<name>/kernel/`, `npm test`,',
          '`src/main.ts and more`, `GET /api/v1/admin/reprocessing`.',
          'Broken: `src/pipelines/index.ts`, `src/pipelines/<pipeline>/`, `test/support/`.',
          '',
          '```ts',
          "import { x } from 'src/inside/a/code/block.js';",
          '```',
        ].join('\n'),
      );

      expect(missingPaths(folder, manualPages(folder))).toEqual([
        {
          at: 'README.md:4',
          target: 'src/pipelines/index.ts',
          problem: 'no file or folder src/pipelines/index.ts',
        },
        {
          at: 'README.md:4',
          target: 'src/pipelines/<pipeline>/',
          problem: 'no file or folder src/pipelines/',
        },
        { at: 'README.md:4', target: 'test/support/', problem: 'no file or folder test/support/' },
      ]);
    });
  });
});
