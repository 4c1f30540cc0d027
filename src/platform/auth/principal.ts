import type { Role } from './role.js';

/** Who is calling, as the auth guard established it; recorded in the audit trail. */
export interface Principal {
  /** The token's `sub`, the API key's name, or the gateway's user header. */
  subject: string;
  roles: Role[];
  method: 'jwt' | 'api-key' | 'gateway';
}

/** The request after the guard: `principal` is set on every non-public route. */
export interface AuthenticatedRequest {
  principal?: Principal;
}
