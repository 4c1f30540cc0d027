import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * A Lua script read from its `.lua` file. The file starts with a header of `--` lines that
 * names each key (`KEYS[1] …`), each argument (`ARGV[1] …`) and the result (`Returns …`); the
 * number of keys is read from it, so the header cannot drift from how the script is called.
 */
export interface RedisScript {
  /** The file's name, for messages. */
  name: string;
  /** The ioredis command it is defined as on a connection. */
  command: string;
  numberOfKeys: number;
  lua: string;
}

/**
 * Reads a script at module load, next to the module that runs it (`nest build` copies the
 * `.lua` files into dist beside the compiled modules: nest-cli.json `assets`). Fails at once,
 * naming the file, when its header does not say what it takes and returns.
 */
export function loadScript(file: URL): RedisScript {
  const path = fileURLToPath(file);
  const name = basename(path);
  const lua = readFileSync(path, 'utf8');
  const header = lua.slice(0, lua.search(/^(?!--)/m)).trim();
  const declared = [...header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
  const used = [...lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
  const numberOfKeys = Math.max(0, ...declared);
  if (!/^-- Returns /m.test(header)) {
    throw new Error(`Redis script ${name}: its header says nothing of its result (-- Returns …)`);
  }
  const undeclared = used.filter((n) => !declared.includes(n));
  if (undeclared.length > 0) {
    throw new Error(
      `Redis script ${name} uses KEYS[${undeclared[0]}], which its header does not name`,
    );
  }
  // A command name per file: ioredis defines it once per connection.
  const command = `tributary_${name.replace(/\.lua$/, '').replace(/\W/g, '_')}`;
  return { name, command, numberOfKeys, lua };
}

type ScriptCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Runs a script on a connection: defined there with ioredis's `defineCommand`, which sends
 * EVALSHA and falls back to EVAL when Redis does not hold the script (a restart, SCRIPT
 * FLUSH), rather than hand-written caching. The caller checks the result it gets.
 */
export function runScript(
  redis: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new Error(
      `Redis script ${script.name} takes ${script.numberOfKeys} keys, called with ${keys.length}`,
    );
  }
  const commands = redis as unknown as Record<string, ScriptCommand | undefined>;
  let command = commands[script.command];
  if (!command) {
    redis.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    command = commands[script.command]!;
  }
  return command.call(redis, ...keys, ...args);
}
