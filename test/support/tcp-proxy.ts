/**
 * A TCP proxy on 127.0.0.1 in front of one target, which a test can cut and restore to simulate a
 * dependency (Neo4j, a broker) that is briefly unreachable, without stopping the real server.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  target: { host: string; port: number };
  /** Port to listen on (default 0: a free one). */
  port?: number;
}

export interface TcpProxyHandle {
  host: '127.0.0.1';
  port: number;
  /** Destroy every open connection (both sides) and close new ones as soon as they arrive. */
  cut(): void;
  /** Accept and forward new connections again. */
  restore(): void;
  /** Whether the proxy is currently cut. */
  isCut(): boolean;
  /** Open client connections being forwarded now. */
  connections(): number;
  /** Connections accepted and forwarded since the start (refused ones not counted). */
  accepted(): number;
  /** Close the listener and every connection; idempotent. */
  stop(): Promise<void>;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxyHandle> {
  const pairs = new Set<[Socket, Socket]>();
  let isCut = false;
  let accepted = 0;

  const server: Server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    accepted++;
    client.setNoDelay(true);
    const upstream = connect({ host: options.target.host, port: options.target.port });
    upstream.setNoDelay(true);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // Errors (ECONNRESET, ECONNREFUSED from the target) end the pair; the peer sees a reset.
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP port');

  const destroyAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: address.port,
    cut() {
      isCut = true;
      destroyAll();
    },
    restore() {
      isCut = false;
    },
    isCut: () => isCut,
    connections: () => pairs.size,
    accepted: () => accepted,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        isCut = true;
        server.close(() => resolve());
        destroyAll();
      });
      return stopped;
    },
  };
}
