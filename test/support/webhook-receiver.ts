import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST as the receiver saw it. */
export interface ReceivedPost {
  /** 1 for the first request this receiver got. */
  n: number;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `x-twin-graph-delivery`. */
  deliveryId: string;
  /** `x-twin-graph-event`. */
  event: string;
  answer: Answer;
}

/**
 * What the receiver does: answer a status (with a short body), drop the connection, never
 * answer, or answer a status with a body that never ends.
 */
export type Answer = number | 'dropped' | 'hang' | { flood: number };

/** What to do with a request (`n` counts the requests this receiver got). */
export type Behaviour = (post: Omit<ReceivedPost, 'answer'>) => Answer;

/** A local webhook receiver on 127.0.0.1 whose answers a test decides. */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  constructor(public behaviour: Behaviour = () => 200) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Posts that were answered 2xx. */
  get accepted(): ReceivedPost[] {
    return this.posts.filter((p) => {
      const status = typeof p.answer === 'object' ? p.answer.flood : p.answer;
      return typeof status === 'number' && status >= 200 && status < 300;
    });
  }

  /** Listens on `port` (0: a free one, kept for later restarts). */
  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = {
          n: this.posts.length + 1,
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          deliveryId: String(req.headers['x-twin-graph-delivery'] ?? ''),
          event: String(req.headers['x-twin-graph-event'] ?? ''),
        };
        const answer = this.behaviour(seen);
        this.posts.push({ ...seen, answer });
        if (answer === 'dropped') req.socket.destroy();
        else if (answer === 'hang') this.hanging.add(res);
        else if (typeof answer === 'object') flood(res, answer.flood);
        else res.writeHead(answer, { 'content-type': 'text/plain' }).end(`answer ${answer}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection: the port refuses from now on. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Writes an endless body until the client hangs up. */
function flood(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket's buffer is full
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** Waits until `check` holds, polling; fails with `what` after `limitMs` (a bound, not a timing). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  limitMs = 30_000,
): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
