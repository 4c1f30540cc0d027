import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { HttpConfig } from '../http.config.js';
import { nearestValue, normalizedPrefix, WELL_FORMED_HOST } from './forwarded-values.js';
import { fromTrustedProxy } from './trusted-proxy.js';

/**
 * Where the callers of one request reach the app: an origin (`https://api.example.com`) when
 * it is known from the configuration or the trusted gateway, and the path prefix the gateway
 * publishes the app under (`/integration`, or `''`).
 */
export interface PublicBase {
  origin?: string;
  prefix: string;
}

const FORWARDED_HEADERS = ['X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Prefix'];
const NONE: PublicBase = { prefix: '' };
/** One owner: the middleware sets each request's base, everything else reads it. */
const bases = new WeakMap<Request, PublicBase>();

/**
 * Resolves every request's public base before anything answers it: `http.publicBaseUrl` when
 * set; else, from a trusted proxy, its `X-Forwarded-Proto`, `-Host` and `-Prefix`; else
 * nothing (URLs stay paths on the host the caller used). Forwarded values that are not a
 * well-formed scheme, host or path, or a host outside `http.forwarded.allowedHosts`, are
 * refused with a 400, so they never reach a document, a `Location` or a problem body.
 */
export function publicBaseMiddleware(http: HttpConfig) {
  const configured = http.publicBaseUrl ? configuredBase(http.publicBaseUrl) : undefined;
  const allowed = new Set(http.forwarded.allowedHosts.map((host) => host.toLowerCase()));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (configured) {
      bases.set(req, configured);
      return next();
    }
    if (!fromTrustedProxy(req)) return next();
    // What the app gives out depends on these headers: a shared cache must key on them.
    res.vary(FORWARDED_HEADERS.join(', '));
    try {
      bases.set(req, forwardedBase(req, allowed));
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** `path` (one of the app's own, from `/`) as its callers reach it. */
export function publicUrl(req: Request, path: string): string {
  const base = bases.get(req) ?? NONE;
  return `${base.origin ?? ''}${base.prefix}${path}`;
}

/** The request's public base: the `servers` entry of its OpenAPI document. */
export function publicBaseOf(req: Request): PublicBase {
  return bases.get(req) ?? NONE;
}

function configuredBase(value: string): PublicBase {
  const url = new URL(value);
  // The schema checked the path is plain; the URL parser only kept it so.
  return { origin: url.origin, prefix: normalizedPrefix(url.pathname) ?? '' };
}

function forwardedBase(req: Request, allowed: ReadonlySet<string>): PublicBase {
  const proto = nearestValue(req.header('x-forwarded-proto'))?.toLowerCase();
  const host = nearestValue(req.header('x-forwarded-host'))?.toLowerCase();
  const prefixHeader = nearestValue(req.header('x-forwarded-prefix'));
  if (proto !== undefined && proto !== 'http' && proto !== 'https')
    throw refused('X-Forwarded-Proto', 'is neither http nor https');
  if (host !== undefined) {
    if (!WELL_FORMED_HOST.test(host) || host.length > 255)
      throw refused('X-Forwarded-Host', 'is not a well-formed host');
    if (allowed.size > 0 && !allowed.has(host) && !allowed.has(host.replace(/:\d+$/, '')))
      throw refused('X-Forwarded-Host', 'names a host outside http.forwarded.allowedHosts');
  }
  const prefix = prefixHeader === undefined ? '' : normalizedPrefix(prefixHeader);
  if (prefix === undefined) throw refused('X-Forwarded-Prefix', 'is not a plain path');
  // Without a forwarded host the origin is the one the caller used: URLs stay relative to it.
  const scheme = proto ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return { origin: host ? `${scheme}://${host}` : undefined, prefix };
}

function refused(header: string, why: string): BadRequestException {
  return new BadRequestException({
    message: `the gateway's ${header} header ${why}`,
    code: 'forwarded-header-invalid',
  });
}
