/**
 * A host name, an IPv4 address or a bracketed IPv6 address, with an optional port: what
 * `X-Forwarded-Host` and `http.forwarded.allowedHosts` may hold. Anything else (a path, user
 * info, spaces, a second host) could steer a URL the app gives out somewhere else.
 */
export const WELL_FORMED_HOST =
  /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

/** Plain path segments only: no `.` or `..`, no encoded characters, no empty segment. */
const PLAIN_PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

/**
 * A path prefix as the app writes it in front of its own paths: `''` for none, else
 * `/a/b` without a trailing slash. `undefined` when it is not a plain path (traversal, a
 * scheme, a query, encoded characters), which the caller refuses.
 */
export function normalizedPrefix(value: string): string | undefined {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (!PLAIN_PATH.test(trimmed) || trimmed.length > 200) return undefined;
  return trimmed;
}

/**
 * The value the nearest proxy put in a forwarded header: the last of a comma-separated list.
 * A proxy appends to what it received, so the first values come from further away, where a
 * caller may have written them.
 */
export function nearestValue(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.split(',').at(-1)!.trim();
  return value === '' ? undefined : value;
}
