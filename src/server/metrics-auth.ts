import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearer, sameSecret } from '../auth/keys';
import { TwinError } from '../errors';
import { authMiddleware, type AuthSettings, type CredentialBudget, requestPrincipal } from './auth';

/**
 * Who may read `/metrics` (docs/operations.md): `Authorization: Bearer <token>` with either the
 * static METRICS_TOKEN (Prometheus' `authorization` or `bearer_token_file`; compared in constant
 * time) or a credential of role admin. Anything else is what `/graphql` answers: no valid
 * credential, 401 JSON `UNAUTHENTICATED` (a failed one draws on its IP's budget, `budget`);
 * a valid key of another role, 403 JSON `FORBIDDEN`. With AUTH_REQUIRED=false a request without
 * a credential acts as admin, so `/metrics` is open like the rest.
 */
export function metricsAuth(
  settings: AuthSettings,
  token: string | undefined,
  budget: CredentialBudget,
): RequestHandler {
  const authenticate = authMiddleware(settings, budget);
  return (req: Request, res: Response, next: NextFunction): void => {
    const credential = bearer(req.headers.authorization);
    if (token !== undefined && credential !== null && sameSecret(credential, token)) {
      next();
      return;
    }
    authenticate(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      const principal = requestPrincipal(res);
      if (principal.role === 'admin') {
        next();
        return;
      }
      const refused = new TwinError(
        'FORBIDDEN',
        `this ${principal.role} key may not read /metrics (needs an admin key, or the METRICS_TOKEN)`,
      );
      res.status(403).json({ errors: [refused.toJSON()] });
    });
  };
}
