export const PUBLIC_ROUTE_METADATA = 'tributary:public-route';
export const ROLES_METADATA = 'tributary:roles';

/** OpenAPI extensions the auth decorators leave on operations, read when the spec is finished. */
export const PUBLIC_ROUTE_EXTENSION = 'x-public';
export const ROLES_EXTENSION = 'x-roles';

export const API_KEY_HEADER = 'x-api-key';

/** Injection token of the auth settings (`auth`), given to `AuthModule.forRoot`. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
