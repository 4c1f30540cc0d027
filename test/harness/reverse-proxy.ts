import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
 * its own, removed by `stop()`, which ends the master process by its PID. The app must trust
 * 127.0.0.1 (`http.trustedProxies`) for the forwarded headers to count. Fails, naming what is
 * missing, when nginx is not installed: never skipped.
 */
export class ReverseProxy {
  private constructor(
    private readonly process: ChildProcess,
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
    return this.process.pid!;
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
    // Workers run as an unprivileged user when the master is root: they must reach the folder.
    chmodSync(dir, 0o755);
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), configuration(dir, port, options));
    const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'error.log'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const proxy = new ReverseProxy(child, dir, port, options.prefix);
    try {
      await proxy.listening(() => stderr);
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  }

  /** Ends nginx by its PID (fast shutdown) and removes its folder. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.process.exitCode === null && this.process.signalCode === null)
        this.process.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Its error log so far, for a spec's failure message. */
  errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private async listening(stderr: () => string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null || this.process.signalCode !== null)
        throw new Error(`nginx exited at start: ${stderr()}${this.errorLog()}`);
      if (await answers(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not listen on 127.0.0.1:${this.port}: ${this.errorLog()}`);
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
