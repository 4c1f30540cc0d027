import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisConnection } from './redis-connection.js';

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
 * Defines scripts on a connection, with ioredis's `defineCommand` (EVALSHA, falling back to EVAL
 * when Redis does not hold the script: a restart, SCRIPT FLUSH), rather than hand-written
 * caching. Call it as the connection is made, before any command: an auto-pipeline opened
 * before a definition lacks the command, and ioredis then fails every command of it.
 */
export function defineScripts(redis: RedisConnection, ...scripts: RedisScript[]): void {
  for (const script of scripts) {
    redis.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}

/** Runs a script defined on the connection ({@link defineScripts}); the caller checks the result. */
export function runScript(
  redis: RedisConnection,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new Error(
      `Redis script ${script.name} takes ${script.numberOfKeys} keys, called with ${keys.length}`,
    );
  }
  const command = (redis as unknown as Record<string, ScriptCommand | undefined>)[script.command];
  if (!command) {
    throw new Error(
      `Redis script ${script.name} is not defined on this connection: defineScripts() where it is made`,
    );
  }
  return command.call(redis, ...keys, ...args);
}
