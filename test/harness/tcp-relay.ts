import { createServer, type Server, type Socket, connect } from 'node:net';
import { freePort, HOST } from './free-ports.js';

/**
 * A TCP relay on 127.0.0.1 in front of a real server, which a spec can cut and restore to
 * play a broker or database going away, without stopping the server itself (the machine's
 * shared servers included). Cut, it refuses new connections and resets the open ones, as a
 * server gone from the network does; opened again, it listens on the same port, which
 * {@link freePort} keeps out of the kernel's ephemeral range so that nobody takes it meanwhile.
 */
export class TcpRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** The relay's port, fixed by the first `open()` ({@link freePort} unless set before). */
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Whether it relays now. */
  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Starts relaying: on a free port the first time, on the same port afterwards. */
  async open(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, HOST, resolve);
    });
    this.server = server;
  }

  /** Stops accepting and cuts every open connection. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }
}
