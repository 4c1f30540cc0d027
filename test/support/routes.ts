import type { INestApplication } from '@nestjs/common';

export interface RegisteredRoute {
  method: string;
  /** The Express pattern, e.g. `/api/v1/admin/errors/:id`. */
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { name: string }[] };
}

/**
 * Every controller route the app registered on Express. Nest names a route's handler
 * `Controller.method`; middleware (applied with `forRoutes`) and Swagger's pages are not named so.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const express = app.getHttpAdapter().getInstance() as {
    router?: { stack: Layer[] };
    _router?: { stack: Layer[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  return stack.flatMap((layer) =>
    layer.route && layer.route.stack.some((handler) => /^\w+\.\w+$/.test(handler.name))
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

/** `/a/:id/b` → `/a/{id}/b`, the OpenAPI form. */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
