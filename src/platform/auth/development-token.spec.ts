import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig as loadFragments } from '../config/index.js';
import { platformConfig } from '../platform-config.js';
import { developmentKeys } from './development-token.js';
import { JwtVerifier } from './jwt-verifier.js';

// The platform's settings alone, from their defaults and the variables: no configuration file.
const configDir = mkdtempSync(join(tmpdir(), 'tributary-auth-'));
const loadConfig = (options: { env: Record<string, string>; configDir: string }) =>
  loadFragments(platformConfig, options);
const keysOf = (config: ReturnType<typeof loadConfig>) => developmentKeys(config.auth, config.env);

describe('the development token', () => {
  it('is made in development without a configured key, and the app accepts it as admin', async () => {
    const config = loadConfig({ env: { NODE_ENV: 'development' }, configDir });
    const keys = await keysOf(config);
    expect(keys).toBeDefined();
    const principal = await new JwtVerifier(keys!.source, config.auth.jwt).verify(keys!.token);
    expect(principal).toEqual({ subject: 'developer', roles: ['admin'], method: 'jwt' });
  });

  it('is never made outside development, nor when a key is configured', async () => {
    expect(await keysOf(loadConfig({ env: { NODE_ENV: 'test' }, configDir }))).toBeUndefined();
    const configured = loadConfig({
      env: { NODE_ENV: 'development', AUTH_JWT_SECRET: 'x'.repeat(40) },
      configDir,
    });
    expect(await keysOf(configured)).toBeUndefined();
  });

  it('production refuses to start with no way to authenticate callers', () => {
    expect(() => loadConfig({ env: { NODE_ENV: 'production' }, configDir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { NODE_ENV: 'production' }, configDir })).toThrow(
      /auth: production needs a way to authenticate/,
    );
    expect(
      loadConfig({
        env: { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' },
        configDir,
      }).auth.jwt.jwksUrl,
    ).toBe('https://idp.example/jwks');
  });

  it('names the key when the JWT secret is too short', () => {
    expect(() =>
      loadConfig({ env: { NODE_ENV: 'test', AUTH_JWT_SECRET: 'short' }, configDir }),
    ).toThrow(/AUTH_JWT_SECRET \(auth\.jwt\.secret\): at least 32/);
  });
});
