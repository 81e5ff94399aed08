import { Router } from 'express';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export type Readiness = () => Promise<ReadinessReport>;

/** `/healthz`: the process is up. `/readyz`: it can serve (Neo4j reachable and migrated). */
export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  return router;
}
