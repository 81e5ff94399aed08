import { createServer, type Server } from 'node:net';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * How a process of this machine reaches the embedded broker listening on `host`: that address, or
 * loopback when it listens on every address.
 */
export function embeddedBrokerUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `mqtt://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/**
 * The zero-configuration MQTT broker (aedes) used when no MQTT_URL is configured, so a newcomer
 * needs nothing else installed. It is for one instance: aedes has no shared subscriptions, so
 * running several API instances needs an external broker such as Mosquitto.
 */
export async function startEmbeddedBroker(port: number, host: string): Promise<EmbeddedBroker> {
  // aedes 1.x is an ES module; a dynamic import keeps this CommonJS build loading it natively.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `MQTT_EMBEDDED_PORT ${port} is in use: set MQTT_EMBEDDED_PORT to a free port, or MQTT_URL to use the broker already there`,
            )
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: embeddedBrokerUrl(host, actual),
    port: actual,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
