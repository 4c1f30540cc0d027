export const PUBLIC_ROUTE_METADATA = 'tributary:public-route';
export const ROLES_METADATA = 'tributary:roles';

/** OpenAPI extensions the auth decorators leave on operations, read when the spec is finished. */
export const PUBLIC_ROUTE_EXTENSION = 'x-public';
export const ROLES_EXTENSION = 'x-roles';

export const API_KEY_HEADER = 'x-api-key';

/** Injection token of the auth settings (`auth`), given to `AuthModule.forRoot`. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/**
 * The header a page of this app (the console) sets on every request. Gateway identity headers
 * are ambient credentials, added to whatever a browser sends, so a state-changing request
 * identified by them must carry it: a cross-site form cannot set a header, and a cross-site
 * script that tries needs a CORS preflight the app does not grant.
 */
export const BROWSER_REQUEST_HEADER = 'x-requested-with';
export const BROWSER_REQUEST_VALUE = 'tributary-console';
