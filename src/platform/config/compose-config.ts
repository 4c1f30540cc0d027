import { z } from 'zod';
import type { ConfigFragment } from './config-fragment.js';
import type { EnvironmentVariable } from './environment-variables.js';
import { deepMerge, type Json, setPath } from './json-tree.js';

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (
  arg: infer I,
) => void
  ? I
  : never;

type Nested<K extends string, T> = K extends `${infer Head}.${infer Rest}`
  ? { [P in Head]: Nested<Rest, T> }
  : { [P in K]: T };

/** The configuration the fragments compose: each fragment's settings at its key. */
export type ConfigTree<F extends readonly ConfigFragment<unknown>[]> = UnionToIntersection<
  F[number] extends infer Each
    ? Each extends ConfigFragment<infer T, infer K>
      ? Nested<K, T>
      : never
    : never
>;

interface Node {
  fragment?: ConfigFragment<unknown>;
  children: Map<string, Node>;
}

/**
 * One strict zod object of every fragment, each at its key: a key between fragments (say
 * `importFlow`, when only `importFlow.extract` and `importFlow.sources` exist) is an object of
 * them; a fragment with fragments below it (`purchaseFlow` and `purchaseFlow.notificationService`)
 * is extended with them. Cross-fragment checks run on the whole, with their issues at the
 * fragment's key.
 */
export function composeSchema(fragments: readonly ConfigFragment<unknown>[]): z.ZodType {
  const root: Node = { children: new Map() };
  for (const fragment of fragments) {
    let node = root;
    for (const part of fragment.path) {
      if (!node.children.has(part)) node.children.set(part, { children: new Map() });
      node = node.children.get(part)!;
    }
    if (node.fragment) throw new Error(`two configuration fragments claim '${fragment.key}'`);
    node.fragment = fragment;
  }
  const checked = fragments.filter((fragment) => fragment.check);
  return build(root, []).superRefine((config, ctx) => {
    for (const fragment of checked) {
      fragment.check!(
        valueAt(config, fragment.path),
        config as Record<string, unknown>,
        (path, message) =>
          ctx.addIssue({ code: 'custom', path: [...fragment.path, ...path], message }),
      );
    }
  });
}

function build(node: Node, path: string[]): z.ZodObject | z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, child] of node.children) shape[key] = build(child, [...path, key]);
  const own = node.fragment?.schema;
  if (!own) return z.object(shape).strict();
  if (node.children.size === 0) return own;
  if (!(own instanceof z.ZodObject)) {
    throw new Error(
      `configuration fragment '${path.join('.')}' has fragments below it: it must be an object`,
    );
  }
  for (const key of Object.keys(shape)) {
    if (key in own.shape) {
      throw new Error(
        `configuration key '${[...path, key].join('.')}' is declared by two fragments`,
      );
    }
  }
  return own.extend(shape);
}

/** Every fragment's defaults, each at its key. */
export function composeDefaults(fragments: readonly ConfigFragment<unknown>[]): Json {
  let tree: Json = {};
  for (const fragment of fragments) {
    if (fragment.defaults === undefined) continue;
    const placed: Json = {};
    setPath(placed, [...fragment.path], structuredClone(fragment.defaults));
    tree = deepMerge(tree, placed);
  }
  return tree;
}

function valueAt(config: unknown, path: readonly string[]): unknown {
  let node = config;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** Every environment variable of `fragments`. */
export function variablesOf(fragments: readonly ConfigFragment<unknown>[]): EnvironmentVariable[] {
  return fragments.flatMap((fragment) => fragment.variables);
}
