import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a real server, which a spec can cut and restore to
 * play a broker or database going away, without stopping the server itself (the machine's
 * shared servers included). Cut, it refuses new connections and resets the open ones, as a
 * server gone from the network does; opened again, it listens on the same port.
 */
export class TcpRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** The relay's port, fixed by the first `open()` (the OS picks it unless set before). */
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Whether it relays now. */
  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Starts relaying: on a port the OS picks the first time, on the same port afterwards. */
  async open(): Promise<void> {
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
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
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
