import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { TwinError } from '../errors';

/**
 * Per-client request budget (rate-limiter-flexible, in memory, so per instance): RATE_LIMIT_POINTS
 * requests per RATE_LIMIT_WINDOW_S seconds. A client is its verified API key (the middleware runs
 * after authentication), else its IP address (`req.ip`: the socket's, or with TRUST_PROXY the one
 * trusted proxies name in X-Forwarded-For); failed credentials count against the IP too, so
 * guessing keys is bounded. HTTP GraphQL requests and graphql-ws subscribe messages draw on the
 * same budget.
 */
export class RateLimit {
  private readonly limiter: RateLimiterMemory | undefined;

  constructor(private readonly config: Pick<Config, 'RATE_LIMIT_POINTS' | 'RATE_LIMIT_WINDOW_S'>) {
    this.limiter =
      config.RATE_LIMIT_POINTS > 0
        ? new RateLimiterMemory({
            points: config.RATE_LIMIT_POINTS,
            duration: config.RATE_LIMIT_WINDOW_S,
          })
        : undefined;
  }

  /** Takes one point of `key`'s budget: undefined when allowed, else seconds to wait. */
  async take(key: string): Promise<number | undefined> {
    if (!this.limiter) return undefined;
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
  }

  /** Seconds to wait while `key`'s budget is spent, taking nothing; undefined while points are left. */
  async spent(key: string): Promise<number | undefined> {
    if (!this.limiter) return undefined;
    const res = await this.limiter.get(key);
    if (!res || res.remainingPoints > 0) return undefined;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  /**
   * Express middleware, after authentication: 429 JSON with code RATE_LIMITED and Retry-After
   * over the budget of the request's key (`keyOf`), else of its IP.
   */
  middleware(keyOf: (res: Response) => string | undefined, onRefused?: () => void): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const key = keyOf(res) ?? ipKey(req.ip);
      this.take(key).then((retryAfter) => {
        if (retryAfter === undefined) {
          next();
          return;
        }
        onRefused?.();
        this.refuse(res, retryAfter);
      }, next);
    };
  }

  /** Answers 429 with Retry-After. */
  refuse(res: Response, retryAfter: number): void {
    res
      .status(429)
      .setHeader('retry-after', String(retryAfter))
      .json({ errors: [rateLimitedError(retryAfter, this.config).toJSON()] });
  }
}

export function rateLimitedError(
  retryAfterSeconds: number,
  config: Pick<Config, 'RATE_LIMIT_POINTS' | 'RATE_LIMIT_WINDOW_S'>,
): TwinError {
  return new TwinError(
    'RATE_LIMITED',
    `Too many requests: at most ${config.RATE_LIMIT_POINTS} per ${config.RATE_LIMIT_WINDOW_S} s per client; retry in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

/** The budget of a client known by its address (`req.ip`, or `clientIp` of an upgrade request). */
export function ipKey(ip: string | undefined): string {
  return `ip:${ip ?? 'unknown'}`;
}

/**
 * Who a request counts against: `bearer:<sha256>` of an `Authorization: Bearer` credential, else
 * `ip:<address>` (the client's address as `clientIp` finds it).
 */
export function clientKey(authorization: unknown, ip: string | undefined): string {
  if (typeof authorization === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (m?.[1]) return `bearer:${createHash('sha256').update(m[1]).digest('hex')}`;
  }
  return ipKey(ip);
}

/** The key of a graphql-ws connection: `connectionParams.authorization`, else the client's IP. */
export function wsClientKey(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  ip: string | undefined,
): string {
  return clientKey(connectionParams?.['authorization'], ip);
}

/**
 * The client's address of a request that never passes through Express (graphql-ws's upgrade
 * request), by Express's own rule: `req.ip` of the app, which believes X-Forwarded-For only from
 * the peers its `trust proxy` setting (TRUST_PROXY) trusts, and otherwise is the socket's address.
 */
export function clientIp(app: Express, request: IncomingMessage | undefined): string | undefined {
  if (!request) return undefined;
  // Express's request prototype of this app (it knows the app, hence its trust proxy function),
  // over the upgrade request's headers and socket: `ip` reads nothing else
  const view: Request = Object.create(app.request, {
    headers: { value: request.headers },
    socket: { value: request.socket },
    connection: { value: request.socket },
  });
  return view.ip;
}
