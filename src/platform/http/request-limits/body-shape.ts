/** The bounds of a JSON body's shape, `http.limits`. */
export interface BodyShapeLimits {
  maxDepth: number;
  maxArrayLength: number;
  maxKeys: number;
}

/** The first limit a body goes beyond, named by its configuration key. */
export interface ExceededLimit {
  limit: keyof BodyShapeLimits;
  value: number;
  /** Where in the body, as a JSON path (`$.lines[3]`). */
  at: string;
}

type Pending = [node: object, depth: number, at: string];

/**
 * Walks a parsed JSON body with a stack of its own (no recursion: the depth is what is being
 * checked) and tells the first limit it goes beyond. Written here because the body parser
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
      node.forEach((child: unknown, i) => {
        if (typeof child === 'object' && child !== null)
          pending.push([child, depth + 1, `${at}[${i}]`]);
      });
      continue;
    }
    const keys = Object.keys(node);
    if (keys.length > limits.maxKeys) return { limit: 'maxKeys', value: limits.maxKeys, at };
    for (const key of keys) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null)
        pending.push([child, depth + 1, `${at}.${key}`]);
    }
  }
  return undefined;
}
