import { z } from 'zod';
import { type ConfigOf, defineConfig, httpUrl, millis, positiveInt } from '../config/index.js';
import { normalizedPrefix, WELL_FORMED_HOST } from './gateway/forwarded-values.js';

/** An absolute http(s) URL with a plain path at most: no credentials, query or fragment. */
const publicBaseUrl = httpUrl.refine((value) => {
  if (!URL.canParse(value)) return true; // the url check says so already
  const url = new URL(value);
  // The path as written: the URL parser would resolve `..` and decode `%2e` first.
  const path = value.replace(/^[a-z]+:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  const plain = normalizedPrefix(path) !== undefined;
  return plain && !url.username && !url.password && !url.search && !url.hash;
}, 'a URL with a plain path and no credentials, query or fragment, e.g. https://api.example.com/integration');

const forwardedHost = z.string().regex(WELL_FORMED_HOST, 'a host name, with an optional :port');

/** The HTTP surface: port, prefix, the gateway in front, request limits, CORS, rate limits. */
export const httpConfig = defineConfig({
  key: 'http',
  schema: z
    .object({
      port: z.number().int().min(0).max(65535),
      globalPrefix: z.string().regex(/^[a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
      /** Addresses (IP or CIDR) of the gateway whose X-Forwarded-* headers are trusted. */
      trustedProxies: z.array(z.string().min(1)),
      /**
       * Where callers reach the app, e.g. `https://api.example.com/integration`: every URL the
       * app gives out starts with it, whatever the forwarded headers say.
       */
      publicBaseUrl: publicBaseUrl.optional(),
      /** The trusted gateway's forwarded headers, when no `publicBaseUrl` is set. */
      forwarded: z
        .object({
          /** Hosts `X-Forwarded-Host` may name (`host` or `host:port`); empty, any well-formed one. */
          allowedHosts: z.array(forwardedHost),
        })
        .strict(),
      /** The largest JSON body (413 beyond). */
      bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb or 1mb'),
      /** The shape of a JSON body, checked before any transformation (400 beyond). */
      limits: z
        .object({
          /** Objects and arrays nested in one another. */
          maxDepth: positiveInt.max(1000),
          /** Elements of any one array. */
          maxArrayLength: positiveInt,
          /** Properties of any one object. */
          maxKeys: positiveInt,
        })
        .strict(),
      /** Origins allowed to call the API from a browser; empty, CORS stays off. */
      cors: z.object({ origins: z.array(z.string().url().or(z.literal('*'))) }).strict(),
      /**
       * Requests per client address within `ttlMs`; health and metrics are exempt. Counted in
       * Redis under `bus.keyPrefix` when Redis is configured (`redis`) (all replicas share the limit),
       * in each process's memory otherwise.
       */
      rateLimit: z.object({ ttlMs: millis, limit: positiveInt }).strict(),
    })
    .strict(),
  defaults: {
    port: 3000,
    globalPrefix: 'api',
    trustedProxies: [],
    forwarded: { allowedHosts: [] },
    bodyLimit: '100kb',
    limits: { maxDepth: 32, maxArrayLength: 10000, maxKeys: 1000 },
    cors: { origins: [] },
    rateLimit: { ttlMs: 60000, limit: 600 },
  },
  env: {
    port: { name: 'PORT', parse: 'integer' },
    trustedProxies: { name: 'TRUSTED_PROXIES', parse: 'list' },
    publicBaseUrl: { name: 'PUBLIC_BASE_URL', parse: 'string' },
    'forwarded.allowedHosts': { name: 'FORWARDED_ALLOWED_HOSTS', parse: 'list' },
    'cors.origins': { name: 'CORS_ORIGINS', parse: 'list' },
  },
});

export type HttpConfig = ConfigOf<typeof httpConfig>;
