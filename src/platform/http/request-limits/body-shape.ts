/** The bounds of a JSON body's shape, `http.limits`. */
export interface BodyShapeLimits {
  maxDepth: number;
  maxArrayLength: number;
  maxKeys: number;
}

/**
 * Why a body is refused: the first limit it goes beyond, named by its configuration key;
 * text that is not well-formed Unicode (a lone surrogate, which JSON's `\ud800` escape lets
 * through and which makes validators that encode text throw); or a `__proto__` key, or a
 * `constructor` holding a `prototype` (prototype poisoning).
 */
export type ExceededLimit =
  | { limit: 'maxDepth' | 'maxArrayLength' | 'maxKeys'; value: number; at: BodyPath }
  | { limit: 'unicode'; at: BodyPath }
  | { limit: 'prototype'; at: BodyPath };
/** Where in the body, as a JSON path (`$.lines[3]`). */
type BodyPath = string;

/** In unicode mode a surrogate pair is one code point: only a lone half matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

type Pending = [node: object, depth: number, at: string];

/**
 * Walks a parsed JSON body with a stack of its own (no recursion: the depth is what is being
 * checked) and tells the first limit it goes beyond, or the first malformed text or
 * prototype-poisoning key. Written here because the body parser
 * bounds only the size, and class-transformer, which runs next, recurses into every nested
 * value and overflows the call stack on a body a few thousand levels deep.
 */
export function exceededLimit(body: unknown, limits: BodyShapeLimits): ExceededLimit | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const pending: Pending[] = [[body, 1, '$']];
  while (pending.length > 0) {
    const [node, depth, at] = pending.pop()!;
    if (depth > limits.maxDepth) return { limit: 'maxDepth', value: limits.maxDepth, at };
    if (Array.isArray(node)) {
      if (node.length > limits.maxArrayLength)
        return { limit: 'maxArrayLength', value: limits.maxArrayLength, at };
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'string' && LONE_SURROGATE.test(child))
          return { limit: 'unicode', at: `${at}[${i}]` };
        if (typeof child === 'object' && child !== null)
          pending.push([child, depth + 1, `${at}[${i}]`]);
      }
      continue;
    }
    const keys = Object.keys(node);
    if (keys.length > limits.maxKeys) return { limit: 'maxKeys', value: limits.maxKeys, at };
    for (const key of keys) {
      const child = (node as Record<string, unknown>)[key];
      // Prototype poisoning, refused as secure-json-parse and Fastify do: class-transformer
      // drops these keys silently, so they would pass as no unknown property at all.
      if (key === '__proto__' || (key === 'constructor' && isObjectWith(child, 'prototype')))
        return { limit: 'prototype', at: `${at}.${key}` };
      if (LONE_SURROGATE.test(key) || (typeof child === 'string' && LONE_SURROGATE.test(child)))
        return { limit: 'unicode', at: `${at}.${key.replace(/\p{Surrogate}/gu, '\ufffd')}` };
      if (typeof child === 'object' && child !== null)
        pending.push([child, depth + 1, `${at}.${key}`]);
    }
  }
  return undefined;
}

function isObjectWith(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key);
}
