import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details.js';
import type { ConsoleConfig } from './console.config.js';

/** Where `npm run build` (vite build) writes the console: `dist/console` of the package. */
export const CONSOLE_BUILD = join('dist', 'console');

/**
 * Only the app's own origin: the page loads its script, styles and data from where it came.
 * Helmet's default adds `upgrade-insecure-requests`, which would send a plain-HTTP
 * deployment's (localhost's) asset requests to https, so the console gets a policy of its own.
 */
const consoleHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
});

/**
 * Serves the built console at `console.path`: the page with no caching (it names the hashed
 * assets of the current build, and where the API is), its assets cached for good. Every URL
 * in it is relative, so it works under a gateway's path prefix; the API base it is given is
 * relative too (`../api/v1/` from `/console/`). Public, like the docs: the page holds no data,
 * and every call it makes is authenticated by the API.
 */
export function serveConsole(
  app: NestExpressApplication,
  config: ConsoleConfig,
  apiPrefix: string,
): void {
  if (!config.enabled) return;
  const dir = join(packageRoot(), CONSOLE_BUILD);
  const depth = config.path.split('/').length - 1;
  const apiBase = `${'../'.repeat(depth)}${apiPrefix ? `${apiPrefix}/` : ''}v1/`;
  let page: string | undefined;

  app.use(config.path, consoleHeaders, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const pathname = req.originalUrl.replace(/[?#].*$/, '');
    if (pathname === config.path) {
      // Relative, so that behind a prefix the browser stays under it.
      res.redirect(301, `${config.path.slice(config.path.lastIndexOf('/') + 1)}/`);
      return;
    }
    if (req.path !== '/' && req.path !== '/index.html') return next();
    page ??= readPage(dir, apiBase);
    if (page === undefined) {
      res
        .status(503)
        .type(PROBLEM_CONTENT_TYPE)
        .json({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          code: 'console-not-built',
          detail: `the console is not built (${CONSOLE_BUILD} is missing): run npm run build`,
        });
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  });
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: `${config.path}/assets`,
    index: false,
    redirect: false,
    fallthrough: true,
    immutable: true,
    maxAge: '365d',
  });
}

/** The built page with the API base filled in; undefined when it is not built. */
function readPage(dir: string, apiBase: string): string | undefined {
  const file = join(dir, 'index.html');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').replace(
    '<meta name="tributary-api" content="" />',
    `<meta name="tributary-api" content="${apiBase}" />`,
  );
}

/** The folder holding package.json: the repository, or /app in the image. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('serveConsole: no package.json above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}
