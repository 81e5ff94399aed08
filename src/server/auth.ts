import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticator';
import { bearer } from '../auth/keys';
import { forbiddenRootFields } from '../auth/policy';
import type { Context } from '../domain/context';
import { OPEN_PRINCIPAL, type Principal, ROLES } from '../domain/principal';
import { TwinError } from '../errors';
import type { Log } from '../log';

/**
 * Authentication and roles on both transports (docs/security.md): HTTP takes
 * `Authorization: Bearer <key>`, graphql-ws `connectionParams.authorization`. Without a valid
 * credential a request gets no data (AUTH_REQUIRED, default true); a valid one acts for its key's
 * role, and root fields above that role answer FORBIDDEN.
 */
export interface AuthSettings {
  authenticator: Authenticator;
  required: boolean;
  /** How often open subscriptions' keys are checked again (a revoked key's sockets close). */
  recheckMs: number;
  log: Log;
}

const UNAUTHENTICATED_MESSAGE =
  'This API needs a credential: send "Authorization: Bearer <key>" (graphql-ws: connectionParams.authorization). ' +
  'Keys come from an admin (createApiKey, npm run keys); `npm start` prints a local one.';

/**
 * The failed-credential budget of a client's address (app.ts backs it with the rate limiter). A
 * wrong or missing credential takes a point; while the budget is spent, a credential that would
 * cost a database lookup is refused before it (HTTP 429, graphql-ws 4429), so guessing keys is
 * bounded in attempts and in database reads, over both transports.
 */
export interface CredentialBudget {
  /** Seconds to wait while `ip`'s budget is spent (nothing is taken), else undefined. */
  spent(ip: string | undefined): Promise<number | undefined>;
  /** Takes a point for a failed credential: seconds to wait once that spent it, else undefined. */
  fail(ip: string | undefined): Promise<number | undefined>;
  /** HTTP: answers 429 with Retry-After. */
  refuse(res: Response, seconds: number): void;
}

/** A credential checked against its client's budget: its principal, or why it was refused. */
type Checked = { principal: Principal } | { principal: null; retryAfter: number | undefined };

async function check(
  settings: AuthSettings,
  authorization: unknown,
  budget: CredentialBudget | undefined,
  ip: string | undefined,
): Promise<Checked> {
  const credential = typeof authorization === 'string' ? bearer(authorization) : null;
  if (budget && credential !== null && settings.authenticator.costsLookup(credential)) {
    const wait = await budget.spent(ip);
    if (wait !== undefined) return { principal: null, retryAfter: wait };
  }
  const principal = await principalOf(settings, authorization);
  if (principal) return { principal };
  return { principal: null, retryAfter: budget ? await budget.fail(ip) : undefined };
}

/** The principal of a credential, OPEN when authentication is off and none is given. */
async function principalOf(
  settings: AuthSettings,
  authorization: unknown,
): Promise<Principal | null> {
  const credential = typeof authorization === 'string' ? bearer(authorization) : null;
  if (credential === null) {
    return settings.required ? null : OPEN_PRINCIPAL;
  }
  // a credential that is given is checked even when authentication is off: a wrong key is an error
  return settings.authenticator.principalFor(credential);
}

/**
 * HTTP: 401 JSON without a valid credential; the principal goes to `res.locals.principal`. A
 * failed attempt draws on its IP's budget (`CredentialBudget`): 429 once that is spent.
 */
export function authMiddleware(settings: AuthSettings, budget?: CredentialBudget) {
  return (req: Request, res: Response, next: NextFunction): void => {
    check(settings, req.headers.authorization, budget, req.ip).then(
      (checked) => {
        if (checked.principal === null) {
          if (checked.retryAfter !== undefined && budget) {
            budget.refuse(res, checked.retryAfter);
            return;
          }
          res
            .status(401)
            .setHeader('www-authenticate', 'Bearer')
            .json({
              errors: [
                { message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } },
              ],
            });
          return;
        }
        res.locals['principal'] = checked.principal;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** The principal the middleware put on the response, or OPEN when none (authentication off). */
export function requestPrincipal(res: Response): Principal {
  const p: unknown = res.locals['principal'];
  return isPrincipal(p) ? p : OPEN_PRINCIPAL;
}

export function isPrincipal(v: unknown): v is Principal {
  if (typeof v !== 'object' || v === null) return false;
  const p: Record<string, unknown> = { ...v };
  const ids = p['factoryIds'];
  return (
    typeof p['keyId'] === 'string' &&
    typeof p['name'] === 'string' &&
    typeof p['role'] === 'string' &&
    (ROLES as readonly string[]).includes(p['role']) &&
    (ids === null || (Array.isArray(ids) && ids.every((id) => typeof id === 'string')))
  );
}

/** Root fields above the request's role: FORBIDDEN, naming each and the role it needs. */
export function rolesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, contextValue }) {
          const denied = forbiddenRootFields(document, operationName, contextValue.principal);
          if (denied.length > 0) throw forbidden(contextValue.principal, denied);
        },
      };
    },
  };
}

export function forbidden(
  principal: Principal,
  denied: { field: string; needs: string; unscoped?: true }[],
): TwinError {
  return new TwinError(
    'FORBIDDEN',
    `this ${principal.role} key may not use ${denied
      .map((d) =>
        d.unscoped
          ? `${d.field} (needs ${d.needs === 'admin' ? 'an admin' : 'a'} key without a factory scope)`
          : `${d.field} (needs ${d.needs})`,
      )
      .join(', ')}`,
    { http: { status: 403 } },
  );
}

/** The error of an operation without a valid credential (graphql-ws: a socket whose key ended). */
export function unauthenticatedError(): TwinError {
  return new TwinError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
}

/** What a socket whose credential ended acts as: a viewer of no factory, refused anyway. */
export const NO_ACCESS: Principal = {
  keyId: 'none',
  name: 'no valid credential',
  role: 'viewer',
  factoryIds: [],
};

/**
 * graphql-ws: authenticates each socket once, at connection_init, and checks the keys of open
 * sockets again every `recheckMs`: a revoked key's sockets close (4403) within that and the
 * authenticator's cache time.
 */
export class SocketAuth {
  private readonly open = new Map<WebSocket, Principal>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: AuthSettings,
    private readonly budget?: CredentialBudget,
  ) {
    this.timer = setInterval(() => void this.recheck(), settings.recheckMs);
    this.timer.unref();
  }

  /**
   * For onConnect: the principal; false without a valid credential (the socket closes with 4403
   * Forbidden), or the seconds to wait once the address's failed-credential budget is spent (4429).
   */
  async connect(
    connectionParams: Readonly<Record<string, unknown>> | undefined,
    socket: WebSocket,
    ip: string | undefined,
  ): Promise<Principal | false | number> {
    const checked = await check(
      this.settings,
      connectionParams?.['authorization'],
      this.budget,
      ip,
    );
    if (checked.principal === null) return checked.retryAfter ?? false;
    const principal = checked.principal;
    this.open.set(socket, principal);
    socket.once('close', () => this.open.delete(socket));
    return principal;
  }

  /**
   * The socket's principal; NO_ACCESS once its key was found revoked (or its token expired): a
   * closing socket still delivers messages until the client's close frame, and they must run as
   * nobody, never as the open principal.
   */
  principalOf(socket: WebSocket): Principal {
    return this.open.get(socket) ?? NO_ACCESS;
  }

  /** Whether the socket still acts for a valid credential (onSubscribe refuses the rest). */
  isOpen(socket: WebSocket): boolean {
    return this.open.has(socket);
  }

  private async recheck(): Promise<void> {
    const byKey = new Map<string, { principal: Principal; sockets: WebSocket[] }>();
    for (const [socket, principal] of this.open) {
      // tokens of one subject expire each at its own time
      const id = `${principal.keyId}@${principal.expiresAt ?? ''}`;
      const entry = byKey.get(id) ?? { principal, sockets: [] };
      entry.sockets.push(socket);
      byKey.set(id, entry);
    }
    for (const { principal, sockets } of byKey.values()) {
      try {
        if (await this.settings.authenticator.stillValid(principal)) continue;
      } catch (err) {
        this.settings.log.debug({ err }, 'could not check an API key again; trying later');
        continue;
      }
      for (const socket of sockets) {
        this.open.delete(socket);
        // a client that never answers the close frame is cut off after a second, not ws's 30 s
        setTimeout(() => socket.terminate(), 1000).unref();
        socket.close(
          4403,
          principal.expiresAt === undefined
            ? 'Forbidden: the API key was revoked'
            : 'Forbidden: the token expired',
        );
      }
      this.settings.log.info(
        `API key ${principal.keyId} is no longer valid: closed ${sockets.length} subscription sockets`,
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The rate-limit key of a verified principal (undefined: authentication off, count by IP). */
export function principalKey(principal: Principal | undefined): string | undefined {
  return principal && principal.keyId !== OPEN_PRINCIPAL.keyId
    ? `key:${principal.keyId}`
    : undefined;
}
