import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../../test/support/profiles.js';
import { defineScripts, loadScript, runScript } from './redis-scripts.js';

const SRC = join(import.meta.dirname, '../..');

/** Every `.lua` file under src: the scripts the application loads. */
function scriptFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scriptFiles(path);
    return entry.name.endsWith('.lua') ? [path] : [];
  });
}

function scriptFile(lua: string): URL {
  const path = join(mkdtempSync(join(tmpdir(), 'redis-script-')), 'probe.lua');
  writeFileSync(path, lua);
  return pathToFileURL(path);
}

describe('Redis scripts as files', () => {
  // As the bus's connections are: commands of one event-loop turn go out as one pipeline.
  const redis = new Redis(REDIS_URL, { lazyConnect: true, enableAutoPipelining: true });
  afterAll(() => redis.disconnect());

  it.each(scriptFiles().map((path) => relative(SRC, path)))(
    '%s has a header naming its keys and its result',
    (path) => {
      const script = loadScript(pathToFileURL(join(SRC, path)));
      expect(script.numberOfKeys).toBeGreaterThan(0);
    },
  );

  it('refuses a script whose header says nothing of its result', () => {
    expect(() =>
      loadScript(scriptFile("-- KEYS[1] a key\nreturn redis.call('GET', KEYS[1])\n")),
    ).toThrow('Redis script probe.lua: its header says nothing of its result');
  });

  it('refuses a script using a key its header does not name', () => {
    const lua = "-- KEYS[1] a key\n-- Returns its value\nreturn redis.call('GET', KEYS[2])\n";
    expect(() => loadScript(scriptFile(lua))).toThrow(
      'uses KEYS[2], which its header does not name',
    );
  });

  it('runs a script with the keys its header names, and refuses another count', async () => {
    const script = loadScript(
      scriptFile(
        "-- KEYS[1] a key\n-- ARGV[1] a value\n-- Returns the value set\nredis.call('SET', KEYS[1], ARGV[1], 'PX', 5000)\nreturn redis.call('GET', KEYS[1])\n",
      ),
    );
    const key = `tributary-test:script:${process.pid}`;
    expect(() => runScript(redis, script, [key], ['x'])).toThrow(
      'Redis script probe.lua is not defined on this connection',
    );
    defineScripts(redis, script);
    // Beside other commands in one auto-pipeline, then alone (EVALSHA once Redis holds it).
    const [, set] = await Promise.all([redis.ping(), runScript(redis, script, [key], ['set'])]);
    expect(set).toBe('set');
    expect(await runScript(redis, script, [key], ['again'])).toBe('again');
    expect(() => runScript(redis, script, [key, key], ['x'])).toThrow(
      'Redis script probe.lua takes 1 keys, called with 2',
    );
  });
});
