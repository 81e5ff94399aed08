import { Router } from 'express';
import type { Log } from '../log';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export type Readiness = () => Promise<ReadinessReport>;

/**
 * `/healthz`: the process is up. `/readyz`: it can serve (Neo4j reachable and migrated, the broker
 * connected). Both answer anyone (load balancers and orchestrators probe them without a
 * credential), so they say no more than that: `/readyz` names each check and whether it passed,
 * never its detail (an error message, a broker's URL with its credentials, migration files). The
 * details go to the log, at warn, whenever the failing checks change.
 */
export function healthRoutes(readiness: Readiness, log: Log): Router {
  const router = Router();
  let lastFailing = '';
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness();
    const failing = Object.entries(report.checks).filter(([, c]) => !c.ok);
    const summary = failing.map(([name, c]) => `${name}: ${c.detail ?? 'failed'}`).join('; ');
    if (summary !== lastFailing) {
      if (summary) log.warn(`not ready: ${summary}`);
      else if (lastFailing) log.info('ready again');
      lastFailing = summary;
    }
    const checks: Record<string, { ok: boolean }> = {};
    for (const [name, c] of Object.entries(report.checks)) checks[name] = { ok: c.ok };
    res.status(report.ready ? 200 : 503).json({ ready: report.ready, checks });
  });
  return router;
}
