/**
 * The console's only way to the app: the documented HTTP API under `/api/v1`, at the base the
 * app wrote into the page (relative, so a gateway's path prefix is kept).
 */
const meta = document.querySelector<HTMLMetaElement>('meta[name="tributary-api"]');
const base = new URL(meta?.content || '../api/v1/', document.baseURI);

/** Sent on every request: gateway-identified writes need it (CSRF), and it costs nothing. */
const CONSOLE_HEADER = { 'X-Requested-With': 'tributary-console' };

const STORED = 'tributary-console-credentials';

/** A bearer token or an API key the person typed, kept for this tab's session only. */
export interface Credentials {
  kind: 'bearer' | 'api-key';
  value: string;
}

export function storedCredentials(): Credentials | undefined {
  const raw = sessionStorage.getItem(STORED);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Credentials;
  } catch {
    // Not ours (or damaged): ask again.
    return undefined;
  }
}

export function storeCredentials(credentials: Credentials | undefined): void {
  if (credentials) sessionStorage.setItem(STORED, JSON.stringify(credentials));
  else sessionStorage.removeItem(STORED);
}

/** RFC 9457 problem details, as the API answers every failure. */
export interface Problem {
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  correlationId?: string;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export interface Answer<T> {
  data: T;
  headers: Headers;
}

/** Calls `path` (relative to `/api/v1/`); a failure throws the API's problem details. */
export async function call<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...CONSOLE_HEADER, Accept: 'application/json' };
  const credentials = storedCredentials();
  if (credentials?.kind === 'bearer') headers.Authorization = `Bearer ${credentials.value}`;
  if (credentials?.kind === 'api-key') headers['X-Api-Key'] = credentials.value;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ProblemError({ title: 'The app does not answer', status: 0, detail: String(error) });
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const problem =
      typeof body === 'object' && body !== null
        ? (body as Problem)
        : { title: response.statusText, status: response.status, detail: String(body ?? '') };
    throw new ProblemError({ ...problem, status: response.status });
  }
  return { data: body as T, headers: response.headers };
}

export const get = async <T>(path: string): Promise<T> => (await call<T>(path)).data;
export const post = async <T>(path: string, body: unknown = {}): Promise<T> =>
  (await call<T>(path, { method: 'POST', body })).data;

/** A query string of the set values. */
export function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The caller as `GET /admin/me` describes them. */
export interface Me {
  subject: string;
  roles: string[];
  method: 'jwt' | 'api-key' | 'gateway';
  admin: boolean;
}
