import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitReady } from './await-ready.js';
import { freePort, HOST } from './free-ports.js';
import { type OwnedProcess, ownFolder, removeFolder, spawnOwned } from './owned-processes.js';

/** Debian's nginx; `NGINX_PATH` points elsewhere. `.ci/run` installs it when missing. */
export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export interface ReverseProxyOptions {
  /** The app behind it, e.g. `http://127.0.0.1:41234` (no path). */
  upstream: string;
  /** The path the proxy publishes the app under, e.g. `/integration` (no trailing slash). */
  prefix: string;
  /**
   * Headers the proxy sets on every request it passes on, replacing any the caller sent: the
   * identity a gateway asserts once it authenticated the caller, e.g.
   * `{ 'X-Authenticated-User': 'ada', 'X-Authenticated-Roles': 'operator' }`.
   */
  identity?: Record<string, string>;
  /** Sets `X-Request-Id` to nginx's own `$request_id` (default true), as a gateway would. */
  requestId?: boolean;
}

/**
 * A real reverse proxy in front of the app, as the corporate gateway publishes it: nginx on a
 * free loopback port, passing `<prefix>/…` to the upstream's `/…` and setting
 * `X-Forwarded-For` (appended), `-Proto`, `-Host` (the host the caller used) and `-Prefix`,
 * replacing whatever the caller sent, and optionally `X-Request-Id` and identity headers.
 *
 * Everything it writes (configuration, pid, error log, temporary files) stays in a folder of
 * its own, removed by `stop()`, which ends the master process by its PID (the harness's own
 * processes: SIGKILLed and the folder removed should the spec's process end first). The app must trust
 * 127.0.0.1 (`http.trustedProxies`) for the forwarded headers to count. Fails, naming what is
 * missing, when nginx is not installed: never skipped.
 */
export class ReverseProxy {
  private constructor(
    private readonly process: OwnedProcess,
    private readonly dir: string,
    /** The port it listens on, on 127.0.0.1. */
    readonly port: number,
    private readonly prefix: string,
  ) {}

  /** The public URL of the app through the proxy: `http://127.0.0.1:<port><prefix>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  /** The master process's PID. */
  get pid(): number {
    return this.process.pid;
  }

  static async start(options: ReverseProxyOptions): Promise<ReverseProxy> {
    try {
      accessSync(NGINX, constants.X_OK);
    } catch {
      throw new Error(
        `the reverse-proxy specs need nginx at ${NGINX} (NGINX_PATH), which is missing: ` +
          'apt-get install -y nginx (.ci/run installs it)',
      );
    }
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(options.prefix))
      throw new Error(`prefix '${options.prefix}' must be a path such as /integration`);
    const dir = mkdtempSync(join(tmpdir(), 'tributary-nginx-'));
    ownFolder(dir);
    // Workers run as an unprivileged user when the master is root: they must reach the folder.
    chmodSync(dir, 0o755);
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), configuration(dir, port, options));
    // Its own error log gets what it says once running; the process's output, what it says
    // before (a configuration it refuses).
    const master = spawnOwned(
      `nginx :${port}`,
      NGINX,
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'error.log'],
      { logFile: join(dir, 'output.log') },
    );
    const proxy = new ReverseProxy(master, dir, port, options.prefix);
    try {
      await awaitReady(master, () => answers(port), 10_000);
    } catch (error) {
      await proxy.stop();
      throw new Error(`${(error as Error).message}\nits error log:\n${proxy.errorLog()}`);
    }
    return proxy;
  }

  /** Ends nginx by its PID (fast shutdown, SIGKILL after 5 s) and removes its folder. */
  async stop(): Promise<void> {
    await this.process.stop(5000);
    removeFolder(this.dir);
  }

  /** Its error log so far, for a spec's failure message. */
  errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }
}

function configuration(dir: string, port: number, options: ReverseProxyOptions): string {
  const upstream = new URL(options.upstream);
  const set = (name: string, value: string) =>
    `      proxy_set_header ${name} ${JSON.stringify(value)};`;
  const identity = Object.entries(options.identity ?? {}).map(([name, value]) => set(name, value));
  return `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client-body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  client_max_body_size 10m;
  absolute_redirect off;
  server {
    listen 127.0.0.1:${port};
    location = ${options.prefix} { return 301 ${options.prefix}/; }
    location ${options.prefix}/ {
      proxy_pass http://${upstream.host}/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
${set('X-Forwarded-Prefix', options.prefix)}
${options.requestId === false ? '' : '      proxy_set_header X-Request-Id $request_id;'}
${identity.join('\n')}
    }
  }
}
`;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
