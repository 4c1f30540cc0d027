import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';
import { ROLES } from './role.js';

const role = z.enum(ROLES);

/** Who may call: JWTs (HS256, RS256 or a JWKS), API keys, or the gateway's identity headers. */
export const authConfig = defineConfig({
  key: 'auth',
  schema: z
    .object({
      jwt: z
        .object({
          /** HS256 shared secret (at least 32 characters). */
          secret: z.string().min(32, 'at least 32 characters').optional(),
          /** RS256 public key, PEM (SPKI). */
          publicKey: z
            .string()
            .includes('BEGIN PUBLIC KEY', { message: 'a PEM public key (BEGIN PUBLIC KEY)' })
            .optional(),
          /** RS256 keys published by the identity provider. */
          jwksUrl: z.string().url().optional(),
          issuer: z.string().min(1).optional(),
          audience: z.string().min(1).optional(),
          /** The claim holding the roles: an array, or a space/comma-separated string. */
          rolesClaim: z.string().min(1),
          clockToleranceSec: z.number().int().min(0).max(300),
        })
        .strict()
        .refine((jwt) => [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter(Boolean).length <= 1, {
          message: 'set one of secret, publicKey or jwksUrl',
        }),
      /** Machine clients: `hash` is `sha256:<hex>` of the key they send in `X-Api-Key`. */
      apiKeys: z.array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ -'),
            hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex digits>'),
            roles: z.array(role).min(1),
          })
          .strict(),
      ),
      /** Identity headers set by the gateway, believed only from `http.trustedProxies`. */
      gateway: z
        .object({
          enabled: z.boolean(),
          userHeader: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name'),
          rolesHeader: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name'),
        })
        .strict(),
      /** Roles that may call routes which declare none (the business routes). */
      defaultRoles: z.array(role).min(1),
    })
    .strict(),
  defaults: {
    jwt: { rolesClaim: 'roles', clockToleranceSec: 5 },
    apiKeys: [],
    gateway: {
      enabled: false,
      userHeader: 'x-authenticated-user',
      rolesHeader: 'x-authenticated-roles',
    },
    defaultRoles: ['integration'],
  },
  env: {
    'jwt.secret': { name: 'AUTH_JWT_SECRET', parse: 'string', secret: 'value' },
    'jwt.publicKey': { name: 'AUTH_JWT_PUBLIC_KEY', parse: 'string' },
    'jwt.jwksUrl': { name: 'AUTH_JWKS_URL', parse: 'string' },
    'jwt.issuer': { name: 'AUTH_JWT_ISSUER', parse: 'string' },
    'jwt.audience': { name: 'AUTH_JWT_AUDIENCE', parse: 'string' },
    'gateway.enabled': { name: 'AUTH_GATEWAY_ENABLED', parse: 'boolean' },
  },
  check: ({ jwt, apiKeys, gateway }, config: { env: string }, report) => {
    const configured =
      jwt.secret || jwt.publicKey || jwt.jwksUrl || apiKeys.length > 0 || gateway.enabled;
    if (config.env === 'production' && !configured) {
      report(
        [],
        'production needs a way to authenticate callers: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY, AUTH_JWKS_URL, auth.apiKeys or auth.gateway',
      );
    }
  },
});

export type AuthConfig = ConfigOf<typeof authConfig>;
