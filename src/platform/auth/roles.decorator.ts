import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ROLES_EXTENSION, ROLES_METADATA } from './constants.js';
import type { Role } from './role.js';

/**
 * Any one of `roles` may call the route; `admin` always may. On a method it overrides the
 * controller's. Routes with no `@Roles()` need `auth.defaultRoles` (the business routes).
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_METADATA, roles), ApiExtension(ROLES_EXTENSION, roles));
