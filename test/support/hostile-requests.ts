import { randomUUID } from 'node:crypto';

/** A request made to break the app, and what it tries. */
export interface HostileRequest {
  /** `POST /api/v1/purchases: body.amount as a string`, for failure messages. */
  what: string;
  method: string;
  /** Path and query, encoded. */
  path: string;
  headers: Record<string, string>;
  /** Sent as is. */
  body?: string;
}

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  example?: unknown;
};
type Operation = {
  parameters?: Parameter[];
  requestBody?: {
    content?: Record<
      string,
      { schema?: Schema; example?: unknown; examples?: Record<string, { value: unknown }> }
    >;
  };
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Strings that try SQL, NoSQL, script, template and header injection, and odd text. */
export const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  '1; DROP TABLE purchases',
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '%00',
  'a'.repeat(5000),
  'ünïcödé 🚀 漢字 \u202e',
  'control\u0000\u0001\u001b[31m\r\nX-Injected: 1',
  '\ud800',
  '',
];
/** Hostile strings a header can carry (printable ASCII only: Node refuses the rest). */
const HEADER_STRINGS = HOSTILE_STRINGS.filter((s) => /^[\x20-\x7e]+$/.test(s));
/** Path segments already encoded: traversals the router must not undo. */
const RAW_SEGMENTS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '..%5C..%5Cwindows',
  '%00',
  '%ZZ',
  '%ED%A0%80',
];
const WRONG_NUMBERS = ['abc', '-1', '1.5', '1e309', '99999999999999999999', 'NaN', '0x10'];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/**
 * Hostile requests for every operation of an OpenAPI document: wrong types, missing and extra
 * fields, deep nesting, huge arrays, many keys, unicode, control characters and injection
 * strings in every path, query, header and body field, malformed JSON and wrong content types.
 * `known` gives real values for path parameters (`{id}` of a seeded dead letter, say), so that
 * a hostile body reaches the code behind a real resource; others come from the document.
 */
export function hostileRequests(
  document: OpenApiDocument,
  known: (path: string, parameter: string) => string | undefined,
  bodyLimitBytes: number,
): HostileRequest[] {
  const requests: HostileRequest[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const pathValues = Object.fromEntries(
        parameters
          .filter((p) => p.in === 'path')
          .map((p) => [p.name, known(template, p.name) ?? sample(document, p.schema, p.example)]),
      );
      const bodyMedia = operation.requestBody?.content?.['application/json'];
      const baseBody = bodyMedia ? bodyExample(document, bodyMedia) : undefined;
      const make = (
        what: string,
        change: {
          path?: Record<string, string>;
          query?: Record<string, string | string[]>;
          headers?: Record<string, string>;
          body?: string;
        },
      ): HostileRequest => {
        const values = { ...pathValues, ...change.path };
        const path = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
          RAW_SEGMENTS.includes(values[name]!) ? values[name]! : encodeURIComponent(values[name]!),
        );
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(change.query ?? {}))
          for (const v of [value].flat()) query.append(name, v);
        const body =
          'body' in change
            ? change.body
            : baseBody === undefined
              ? undefined
              : JSON.stringify(baseBody);
        return {
          what: `${method.toUpperCase()} ${template}: ${what}`,
          method: method.toUpperCase(),
          path: query.size > 0 ? `${path}?${query}` : path,
          headers: {
            ...(body !== undefined && !change.headers?.['content-type']
              ? { 'content-type': 'application/json' }
              : {}),
            ...change.headers,
          },
          body,
        };
      };

      for (const parameter of parameters) {
        const { name } = parameter;
        if (parameter.in === 'path') {
          // A lone surrogate has no URL encoding: RAW_SEGMENTS sends its bytes instead.
          for (const value of [...HOSTILE_STRINGS, ...RAW_SEGMENTS])
            if (value !== '' && value !== '\ud800')
              requests.push(make(`path ${name}=${short(value)}`, { path: { [name]: value } }));
        } else if (parameter.in === 'query') {
          const wrong = isNumeric(parameter.schema)
            ? WRONG_NUMBERS
            : ['not-a-member', '2026-13-45T25:61'];
          for (const value of [...HOSTILE_STRINGS, ...wrong])
            requests.push(make(`query ${name}=${short(value)}`, { query: { [name]: value } }));
          requests.push(make(`query ${name} repeated`, { query: { [name]: ['1', '2'] } }));
        } else if (parameter.in === 'header') {
          for (const value of HEADER_STRINGS)
            requests.push(make(`header ${name}=${short(value)}`, { headers: { [name]: value } }));
        }
      }
      requests.push(
        make('unknown query parameter', { query: { orderBy: 'id; DROP TABLE purchases' } }),
        make('query with many keys', {
          query: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, '1'])),
        }),
      );
      if (bodyMedia)
        requests.push(...bodyVariants(document, bodyMedia.schema, baseBody, make, bodyLimitBytes));
    }
  }
  return requests;
}

function bodyVariants(
  document: OpenApiDocument,
  schemaRef: Schema | undefined,
  base: unknown,
  make: (
    what: string,
    change: { headers?: Record<string, string>; body?: string },
  ) => HostileRequest,
  bodyLimitBytes: number,
): HostileRequest[] {
  const schema = resolve(document, schemaRef);
  const object = (typeof base === 'object' && base !== null ? base : {}) as Record<string, unknown>;
  const json = (what: string, value: unknown) => make(what, { body: JSON.stringify(value) });
  const raw = (what: string, body: string, type = 'application/json') =>
    make(what, { body, headers: { 'content-type': type } });
  const variants: HostileRequest[] = [];
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = resolve(document, property)?.type;
    for (const wrong of [null, 42, true, 'text', [], {}, [[[]]], -1e308])
      if (typeOf(wrong) !== type)
        variants.push(
          json(`body.${name} as ${JSON.stringify(wrong)}`, { ...object, [name]: wrong }),
        );
    for (const value of HOSTILE_STRINGS)
      variants.push(json(`body.${name}=${short(value)}`, { ...object, [name]: value }));
    variants.push(
      raw(`body.${name} nested 5000 deep`, `{"${name}":${nested(5000)}}`),
      json(`body.${name} as 20000 elements`, { ...object, [name]: new Array(20_000).fill(0) }),
      json(`body.${name} with 5000 keys`, {
        ...object,
        [name]: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
      }),
    );
    if (schema?.required?.includes(name)) {
      const { [name]: _omitted, ...rest } = object;
      variants.push(json(`body without ${name}`, rest));
    }
  }
  variants.push(
    json('body with an unknown field', { ...object, unexpected: 'x' }),
    raw(
      'body with __proto__',
      JSON.stringify(object).replace(
        /^\{/,
        Object.keys(object).length > 0
          ? '{"__proto__":{"isAdmin":true},'
          : '{"__proto__":{"isAdmin":true}',
      ),
    ),
    json('body with constructor.prototype', {
      ...object,
      constructor: { prototype: { isAdmin: true } },
    }),
    raw('body nested 5000 deep', nested(5000)),
    raw('body an array nested 100000 deep', '['.repeat(100_000) + ']'.repeat(100_000)),
    json('body an array of 20000', new Array(20_000).fill(object)),
    json(
      'body with 5000 keys',
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    ),
    raw(
      'body over the size limit',
      JSON.stringify({ ...object, padding: 'x'.repeat(bodyLimitBytes) }),
    ),
    raw('body null', 'null'),
    raw('body a string', '"text"'),
    raw('body a number', '42'),
    raw('body empty', ''),
    raw('body truncated', '{"a":'),
    raw('body single-quoted', "{'a': 1}"),
    raw('body with a trailing brace', `${JSON.stringify(object)}}`),
    raw('body with a control character', '{"a":"\u0001"}'),
    raw('body as text/plain', JSON.stringify(object), 'text/plain'),
    raw('body as a form', 'a=1&b=2', 'application/x-www-form-urlencoded'),
    raw('body as XML', '<a><b>1</b></a>', 'application/xml'),
    raw('body as multipart', '--x\r\n\r\n1\r\n--x--', 'multipart/form-data; boundary=x'),
    raw(
      'body with a JSON charset it is not in',
      JSON.stringify(object),
      'application/json; charset=utf-16',
    ),
  );
  return variants;
}

/** A plausible value for a parameter: its example, else one of its format or type. */
function sample(
  document: OpenApiDocument,
  schemaRef: Schema | undefined,
  example?: unknown,
): string {
  if (example !== undefined) return String(example);
  const schema = resolve(document, schemaRef);
  if (schema?.example !== undefined) return String(schema.example);
  if (schema?.format === 'uuid') return randomUUID();
  return isNumeric(schema) ? '1' : 'x';
}

/** The request body a person would start from: the document's example, else one built from the schema. */
function bodyExample(
  document: OpenApiDocument,
  media: { schema?: Schema; example?: unknown; examples?: Record<string, { value: unknown }> },
): unknown {
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0];
  if (first) return first.value;
  return build(document, media.schema, 0);
}

function build(document: OpenApiDocument, schemaRef: Schema | undefined, depth: number): unknown {
  const schema = resolve(document, schemaRef);
  if (!schema || depth > 4) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, build(document, v, depth + 1)]),
      );
    case 'array':
      return [build(document, schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'uuid' ? randomUUID() : 'x';
    default:
      return undefined;
  }
}

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let i = 0; current?.$ref && i < 10; i++)
    current = document.components?.schemas?.[current.$ref.split('/').at(-1)!];
  if (current?.allOf?.length === 1) return resolve(document, current.allOf[0]);
  return current;
}

function isNumeric(schema: Schema | undefined): boolean {
  return schema?.type === 'integer' || schema?.type === 'number';
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
}

function short(value: string): string {
  const shown = JSON.stringify(value);
  return shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
}
