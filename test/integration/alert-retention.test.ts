import { AlertSweeper } from '../../src/alerts/sweeper';
import { NO_EVENTS } from '../../src/domain/events';
import type { Graph } from '../../src/graph/executor';
import { silentLog } from '../../src/log';
import { resetTwins, testGraph } from '../support/db';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const daysAgo = (n: number): string => new Date(NOW - n * DAY).toISOString();

describe('alert retention (ALERT_RETENTION_DAYS)', () => {
  let graph: Graph;

  beforeAll(async () => {
    graph = testGraph();
    await resetTwins(graph);
  });
  afterAll(async () => {
    await graph.close();
  });

  /** An alert with one delivery per given state, each delivery with one attempt. */
  const alert = async (
    id: string,
    state: string,
    resolvedAt: string | null,
    deliveries: string[],
  ): Promise<void> => {
    await graph.write(
      `CREATE (x:Alert {id: $id, state: $state, resolvedAt: $resolvedAt, raisedAt: $raisedAt})
       WITH x
       UNWIND range(0, size($deliveries) - 1) AS i
       CREATE (d:AlertDelivery {id: $id + '-d' + i, alertId: $id, state: $deliveries[i]})
       CREATE (d)-[:ATTEMPT]->(:DeliveryAttempt {n: 1, ok: $deliveries[i] = 'DELIVERED'})`,
      { id, state, resolvedAt, raisedAt: daysAgo(500), deliveries },
    );
  };

  const left = async (): Promise<{ alerts: string[]; deliveries: number; attempts: number }> => {
    const rows = await graph.read(
      `CALL () { MATCH (x:Alert) RETURN collect(x.id) AS alerts }
       CALL () { MATCH (d:AlertDelivery) RETURN count(d) AS deliveries }
       CALL () { MATCH (a:DeliveryAttempt) RETURN count(a) AS attempts }
       RETURN alerts, deliveries, attempts`,
    );
    const row = rows[0] ?? {};
    const alerts = Array.isArray(row['alerts']) ? row['alerts'].map(String).sort() : [];
    return { alerts, deliveries: Number(row['deliveries']), attempts: Number(row['attempts']) };
  };

  it('when the sweep runs, then RESOLVED alerts older than the retention go with their deliveries and attempts, and every other alert stays', async () => {
    await alert('old-resolved', 'RESOLVED', daysAgo(41), ['DELIVERED', 'FAILED']);
    await alert('recent-resolved', 'RESOLVED', daysAgo(39), ['DELIVERED']);
    await alert('old-open', 'OPEN', null, ['DELIVERED']);
    await alert('old-acknowledged', 'ACKNOWLEDGED', null, []);
    await alert('old-resolved-pending', 'RESOLVED', daysAgo(41), ['DELIVERED', 'PENDING']);
    const sweeper = new AlertSweeper(graph, NO_EVENTS, {
      intervalMs: 60_000,
      instanceId: 'retention-test',
      retentionMs: 40 * DAY,
      log: silentLog(),
    });
    // forced: the lease is not what this test is about
    expect(await sweeper.sweep(NOW, true)).not.toBeNull();
    expect(await left()).toEqual({
      alerts: ['old-acknowledged', 'old-open', 'old-resolved-pending', 'recent-resolved'],
      // recent-resolved 1, old-open 1, old-resolved-pending 2
      deliveries: 4,
      attempts: 4,
    });
    // once its last delivery ends, the held-back alert goes at the next sweep
    await graph.write(
      `MATCH (d:AlertDelivery {alertId: 'old-resolved-pending'}) SET d.state = 'FAILED'`,
    );
    expect(await sweeper.prune(NOW)).toBe(1);
    expect((await left()).alerts).toEqual(['old-acknowledged', 'old-open', 'recent-resolved']);
  });

  it('when no retention is set, then nothing is pruned', async () => {
    await alert('ancient', 'RESOLVED', daysAgo(4000), ['DELIVERED']);
    const sweeper = new AlertSweeper(graph, NO_EVENTS, {
      intervalMs: 60_000,
      instanceId: 'retention-test',
      log: silentLog(),
    });
    expect(await sweeper.prune(NOW)).toBe(0);
    expect((await left()).alerts).toContain('ancient');
  });
});
