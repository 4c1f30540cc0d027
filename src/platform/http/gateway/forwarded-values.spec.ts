import { describe, expect, it } from 'vitest';
import { nearestValue, normalizedPrefix, WELL_FORMED_HOST } from './forwarded-values.js';

describe('forwarded header values', () => {
  it('takes the value the nearest proxy appended', () => {
    expect(nearestValue('evil.example, api.example.com')).toBe('api.example.com');
    expect(nearestValue('https')).toBe('https');
    expect(nearestValue(' , ')).toBeUndefined();
    expect(nearestValue(undefined)).toBeUndefined();
  });

  it('keeps a plain path prefix, without its trailing slash', () => {
    expect(normalizedPrefix('/integration/')).toBe('/integration');
    expect(normalizedPrefix('/a/b-c/v1.2')).toBe('/a/b-c/v1.2');
    expect(normalizedPrefix('/')).toBe('');
    expect(normalizedPrefix('')).toBe('');
  });

  it.each([
    'integration',
    '/a/../b',
    '/..',
    '/./a',
    '//evil.example',
    '/a//b',
    '/a%2fb',
    '/a?b=1',
    '/a#b',
    '/a\\b',
    'https://evil.example/a',
    '/<script>',
    `/${'a'.repeat(300)}`,
  ])('refuses the prefix %s', (prefix) => {
    expect(normalizedPrefix(prefix)).toBeUndefined();
  });

  it('tells well-formed hosts from the rest', () => {
    for (const host of ['api.example.com', 'api.example.com:8443', '127.0.0.1:80', '[::1]:3000'])
      expect(host).toMatch(WELL_FORMED_HOST);
    for (const host of ['evil.com/x', 'a@b', 'a b', 'host:port', '-a.com', 'a..b', ''])
      expect(host).not.toMatch(WELL_FORMED_HOST);
  });
});
