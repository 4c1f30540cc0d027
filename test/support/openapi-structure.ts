/**
 * A structural check of an OpenAPI 3 document: what a gateway's importer relies on. Written
 * here because no validator package is installed; it checks the version, every operation's
 * responses and unique operationId, that security requirements name declared schemes, that
 * path parameters are declared, and that every `$ref` resolves.
 */
export function openApiProblems(document: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const doc = document as {
    openapi?: string;
    info?: { title?: string; version?: string };
    paths?: Record<string, Record<string, unknown>>;
    components?: { securitySchemes?: Record<string, unknown>; schemas?: Record<string, unknown> };
  };
  if (!/^3\.\d+\.\d+$/.test(doc.openapi ?? ''))
    problems.push(`openapi version '${doc.openapi}' is not 3.x.y`);
  if (!doc.info?.title || !doc.info.version)
    problems.push('info.title and info.version are required');
  if (!doc.paths || typeof doc.paths !== 'object') return [...problems, 'paths is missing'];
  const schemes = doc.components?.securitySchemes ?? {};
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`path '${path}' does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'].includes(method))
        continue;
      const op = raw as {
        operationId?: string;
        responses?: Record<string, unknown>;
        security?: Record<string, unknown>[];
        parameters?: { name: string; in: string; required?: boolean }[];
      };
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.responses || Object.keys(op.responses).length === 0)
        problems.push(`${where} has no responses`);
      for (const code of Object.keys(op.responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code))
          problems.push(`${where} has response key '${code}'`);
        if (!(op.responses![code] as { description?: string }).description)
          problems.push(`${where} ${code} has no description`);
      }
      if (!op.operationId) problems.push(`${where} has no operationId`);
      else if (operationIds.has(op.operationId))
        problems.push(`${where} repeats operationId ${op.operationId}`);
      else operationIds.add(op.operationId);
      for (const requirement of op.security ?? []) {
        for (const name of Object.keys(requirement))
          if (!(name in schemes)) problems.push(`${where} needs undeclared scheme '${name}'`);
      }
      for (const name of templated) {
        const parameter = op.parameters?.find((p) => p.in === 'path' && p.name === name);
        if (!parameter?.required)
          problems.push(`${where} does not declare required path parameter '${name}'`);
      }
    }
  }
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${at}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const target = value
            .replace(/^#\//, '')
            .split('/')
            .reduce<unknown>(
              (n, part) => (n as Record<string, unknown> | undefined)?.[part],
              document,
            );
          if (!value.startsWith('#/') || target === undefined)
            problems.push(`${at}: $ref ${value} does not resolve`);
        } else walk(value, `${at}/${key}`);
      }
    }
  };
  walk(document, '#');
  return problems;
}
