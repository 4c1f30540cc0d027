/** Authentication and roles: the global guard, `@Roles()`, `@Public()`, the caller's principal. */
export { hashApiKey } from './api-key-verifier.js';
export { type AuthConfig, authConfig } from './auth.config.js';
export { BROWSER_REQUEST_HEADER, BROWSER_REQUEST_VALUE } from './constants.js';
export { AuthModule } from './auth.module.js';
export { CurrentPrincipal } from './current-principal.decorator.js';
export { DevelopmentToken } from './development-token.js';
export type { AuthenticatedRequest, Principal } from './principal.js';
export { Public } from './public.decorator.js';
export { isRole, type Role, ROLES } from './role.js';
export { Roles } from './roles.decorator.js';
