import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../platform/config/index.js';
import { loadAppConfig as loadConfig } from './app-config.js';

const shipped = resolve(import.meta.dirname, '../../config');
const load = (env: Record<string, string>) =>
  loadConfig({ env: { NODE_ENV: 'test', ...env }, configDir: shipped });

const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('notifiers configuration', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A config folder with the shipped defaults and `test.json` set to `overlay`. */
  const withFile = (overlay: unknown) => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
    copyFileSync(join(shipped, 'default.json'), join(dir, 'default.json'));
    writeFileSync(join(dir, 'test.json'), JSON.stringify(overlay));
    return dir;
  };

  it('leaves both notifiers unconfigured by default, with the shipped sender and ServiceNow mapping', () => {
    const { notifiers } = load({});
    expect(notifiers.email.smtpUrl).toBeUndefined();
    expect(notifiers.email.from).toBe('tributary@localhost');
    expect(notifiers.itsm.url).toBeUndefined();
    expect(notifiers.itsm.fieldMapping.severity).toBe('urgency');
    expect(notifiers.itsm.ticketIdPath).toBe('result.number');
    expect(notifiers.itsm.ticketIdFallbackPath).toBe('result.sys_id');
  });

  it('reads the environment variables', () => {
    const { notifiers } = load({
      SMTP_URL: 'smtp://alerts:pw@mail.internal:2525',
      EMAIL_FROM: 'Tributary <tributary@example.com>',
      ITSM_URL: 'https://x.service-now.com/api/now/table/incident',
      ITSM_TOKEN: 'tok-1',
    });
    expect(notifiers.email).toMatchObject({
      smtpUrl: 'smtp://alerts:pw@mail.internal:2525',
      from: 'Tributary <tributary@example.com>',
    });
    expect(notifiers.itsm).toMatchObject({
      url: 'https://x.service-now.com/api/now/table/incident',
      token: 'tok-1',
    });
  });

  it.each([
    [{ SMTP_URL: 'http://mail.internal' }, 'SMTP_URL (notifiers.email.smtpUrl)'],
    [{ ITSM_URL: 'not a url' }, 'ITSM_URL (notifiers.itsm.url)'],
    [{ ITSM_URL: 'ftp://itsm.internal/incident' }, 'ITSM_URL (notifiers.itsm.url)'],
    [{ ITSM_URL: 'https://u:p@itsm.internal/incident' }, 'ITSM_URL (notifiers.itsm.url)'],
    [{ ITSM_PASSWORD: 'pw-1' }, 'ITSM_USERNAME (notifiers.itsm.username)'],
    [{ ITSM_USERNAME: 'me' }, 'ITSM_PASSWORD (notifiers.itsm.password)'],
    [
      { ITSM_USERNAME: 'me', ITSM_PASSWORD: 'pw-1', ITSM_TOKEN: 'tok-1' },
      'ITSM_TOKEN (notifiers.itsm.token)',
    ],
  ])('refuses %j, naming %s', (env, key) => {
    const message = failure(() => load(env));
    expect(message).toContain(key);
    expect(message).not.toContain('pw-1');
    expect(message).not.toContain('tok-1');
  });

  it('refuses a password or token in a configuration file, naming the key and the variable', () => {
    const configDir = withFile({ notifiers: { itsm: { password: 'pw-in-file' } } });
    const message = failure(() => loadConfig({ env: { NODE_ENV: 'test' }, configDir }));
    expect(message).toContain('notifiers.itsm.password');
    expect(message).toContain('ITSM_PASSWORD');
    expect(message).not.toContain('pw-in-file');
  });

  it('refuses SMTP credentials in a file but takes a plain SMTP URL there', () => {
    const withCredentials = withFile({
      notifiers: { email: { smtpUrl: 'smtp://u:pw-in-file@mail.internal' } },
    });
    const message = failure(() =>
      loadConfig({ env: { NODE_ENV: 'test' }, configDir: withCredentials }),
    );
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('pw-in-file');

    const plain = withFile({ notifiers: { email: { smtpUrl: 'smtp://mail.internal:25' } } });
    expect(
      loadConfig({ env: { NODE_ENV: 'test' }, configDir: plain }).notifiers.email.smtpUrl,
    ).toBe('smtp://mail.internal:25');
  });

  it('takes a custom field mapping from a file, merged over the defaults', () => {
    const configDir = withFile({
      notifiers: { itsm: { fieldMapping: { source: null, details: 'comments' } } },
    });
    const { fieldMapping } = loadConfig({ env: { NODE_ENV: 'test' }, configDir }).notifiers.itsm;
    expect(fieldMapping).toMatchObject({
      source: null,
      details: 'comments',
      shortDescription: 'short_description',
    });
  });
});
