import { describe, expect, it } from 'vitest';
import { exceededLimit } from './body-shape.js';

const limits = { maxDepth: 4, maxArrayLength: 3, maxKeys: 2 };
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('the shape of a JSON body', () => {
  it('passes what stays within every limit, scalars included', () => {
    expect(exceededLimit({ a: [1, 2, { b: [3] }], c: 'x' }, limits)).toBeUndefined();
    expect(exceededLimit(nested(4), limits)).toBeUndefined();
    expect(exceededLimit(undefined, limits)).toBeUndefined();
    expect(exceededLimit('text', limits)).toBeUndefined();
  });

  it('names the first limit passed, and where', () => {
    expect(exceededLimit(nested(5), limits)).toEqual({
      limit: 'maxDepth',
      value: 4,
      at: '$.a.a.a.a',
    });
    expect(exceededLimit({ a: [1, 2, 3, 4] }, limits)).toMatchObject({
      limit: 'maxArrayLength',
      at: '$.a',
    });
    expect(exceededLimit({ a: 1, b: { c: 1, d: 2, e: 3 } }, limits)).toMatchObject({
      limit: 'maxKeys',
      at: '$.b',
    });
  });

  it('refuses text that is not well-formed Unicode, in a value or a key, and keeps paired surrogates', () => {
    expect(exceededLimit({ email: 'a\ud800@b.c' }, limits)).toEqual({
      limit: 'unicode',
      at: '$.email',
    });
    expect(exceededLimit({ a: ['x', '\udc00'] }, limits)).toMatchObject({ at: '$.a[1]' });
    expect(exceededLimit({ 'k\ud800': 1 }, limits)).toMatchObject({ limit: 'unicode' });
    expect(exceededLimit({ rocket: '🚀 漢字' }, limits)).toBeUndefined();
  });

  it('refuses prototype poisoning, and lets a constructor that is plain data through', () => {
    expect(exceededLimit(JSON.parse('{"a":{"__proto__":{"x":1}}}'), limits)).toEqual({
      limit: 'prototype',
      at: '$.a.__proto__',
    });
    expect(exceededLimit({ constructor: { prototype: { x: 1 } } }, limits)).toMatchObject({
      limit: 'prototype',
    });
    expect(exceededLimit({ constructor: 'Ferrari' }, limits)).toBeUndefined();
  });

  it('walks a body nested far deeper than the call stack allows without overflowing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(exceededLimit(deep, { ...limits, maxDepth: 1_000_000 })).toBeUndefined();
  });
});
