import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAppConfig as loadConfig } from './app-config.js';

const configDir = resolve(import.meta.dirname, '../../config');
const load = (env: Record<string, string>) =>
  loadConfig({ env: { NODE_ENV: 'development', ...env }, configDir });

describe('the gateway configuration', () => {
  it('takes the public base URL and the allowed forwarded hosts from the environment', () => {
    const config = load({
      PUBLIC_BASE_URL: 'https://api.example.com/integration',
      FORWARDED_ALLOWED_HOSTS: 'api.example.com, gw.example.com:8443',
    });
    expect(config.http.publicBaseUrl).toBe('https://api.example.com/integration');
    expect(config.http.forwarded.allowedHosts).toEqual(['api.example.com', 'gw.example.com:8443']);
    expect(load({}).http.publicBaseUrl).toBeUndefined();
    expect(load({}).http.limits).toEqual({ maxDepth: 32, maxArrayLength: 10000, maxKeys: 1000 });
  });

  it.each([
    'api.example.com/integration',
    'ftp://api.example.com/integration',
    'https://user:secret@api.example.com/integration',
    'https://api.example.com/integration?x=1',
    'https://api.example.com/integration#top',
    'https://api.example.com/a/../b',
    'https://api.example.com/%2e%2e/b',
  ])('refuses the public base URL %s, naming the key and its variable', (url) => {
    expect(() => load({ PUBLIC_BASE_URL: url })).toThrow(
      /PUBLIC_BASE_URL \(http\.publicBaseUrl\): .*URL/,
    );
  });

  it.each(['evil.com/path', 'user@host', 'a host', '*.example.com', 'host:port'])(
    'refuses the forwarded host %s in the allow-list, naming the key and its variable',
    (host) => {
      expect(() => load({ FORWARDED_ALLOWED_HOSTS: `api.example.com,${host}` })).toThrow(
        /FORWARDED_ALLOWED_HOSTS \(http\.forwarded\.allowedHosts\.1\): a host name/,
      );
    },
  );
});
