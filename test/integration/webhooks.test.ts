import { randomUUID } from 'node:crypto';
import type { AlertEventKind, AlertNotice } from '../../src/alerts/model';
import {
  WebhookDispatcher,
  type WebhookDispatcherOptions,
} from '../../src/alerts/webhooks/dispatcher';
import type { Envelope } from '../../src/alerts/webhooks/envelope';
import { enqueueDeliveries } from '../../src/alerts/webhooks/outbox';
import type { Graph } from '../../src/graph/executor';
import { asProps, asPropsList, type Props } from '../../src/graph/props';
import { memoryLog, silentLog } from '../../src/log';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins, testGraph } from '../support/db';
import { type Answer, WebhookReceiver, waitFor } from '../support/webhook-receiver';

/** A notice as the alert store would route it. */
function notice(alertId: string, event: AlertEventKind): AlertNotice {
  const at = '2026-03-01T08:00:00.000Z';
  return {
    event,
    id: alertId,
    ruleId: 'rule-webhook-test',
    kind: 'OUT_OF_RANGE',
    severity: 'WARNING',
    state: event,
    message: `temperature of A1 out of range (${event})`,
    raisedAt: at,
    lastSeenAt: at,
    count: 1,
    acknowledgedAt: event === 'ACKNOWLEDGED' ? at : null,
    acknowledgedBy: event === 'ACKNOWLEDGED' ? 'operator' : null,
    resolvedAt: event === 'RESOLVED' ? at : null,
    resolvedBy: null,
    about: { label: 'Asset', id: 'A1' },
    factoryId: 'F1',
    lineId: 'L1',
    assetId: 'A1',
    metricId: 'A1:temperature',
  };
}

interface DeliveryRow extends Props {
  id: string;
  state: string;
  attempts: number;
  attemptLog: Props[];
}

describe('webhook deliveries on a real Neo4j', () => {
  let graph: Graph;
  const dispatchers: WebhookDispatcher[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeAll(() => {
    graph = testGraph();
  });
  afterAll(async () => {
    await graph.close();
  });
  beforeEach(async () => {
    await graph.write(
      `MATCH (d:AlertDelivery) OPTIONAL MATCH (d)-[:ATTEMPT]->(a:DeliveryAttempt) DETACH DELETE d, a`,
    );
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  const dispatcher = (extra: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher => {
    const d = new WebhookDispatcher(graph, {
      instanceId: `test-${randomUUID().slice(0, 8)}`,
      pollMs: 20,
      timeoutMs: 2000,
      retryMs: 600_000,
      maxBackoffMs: 30,
      log: silentLog(),
      ...extra,
    });
    dispatchers.push(d);
    return d;
  };

  const receiver = async (behaviour?: (n: number) => Answer): Promise<WebhookReceiver> => {
    const r = new WebhookReceiver(behaviour ? (post) => behaviour(post.n) : undefined);
    receivers.push(r);
    await r.start();
    return r;
  };

  /** Queues the events in one transaction, as the alert store does. */
  const enqueue = (
    url: string,
    events: [alertId: string, event: AlertEventKind][],
    nowIso = new Date().toISOString(),
  ): Promise<void> =>
    graph.transaction('WRITE', (tx) =>
      enqueueDeliveries(
        tx,
        events.map(([alertId, event]) => ({ notice: notice(alertId, event), url })),
        nowIso,
      ),
    );

  /** The deliveries of an alert, in event order, each with its attempts. */
  const deliveriesOf = async (alertId: string): Promise<DeliveryRow[]> => {
    const rows = await graph.read(
      `MATCH (d:AlertDelivery {alertId: $alertId})
       CALL (d) {
         OPTIONAL MATCH (d)-[:ATTEMPT]->(a:DeliveryAttempt)
         WITH a ORDER BY a.n
         RETURN collect(a {.*}) AS attemptLog
       }
       RETURN d {.*, attemptLog: attemptLog} AS d ORDER BY d.seq`,
      { alertId },
    );
    return rows.map((r) => {
      const p = asProps(r['d']);
      return {
        ...p,
        id: String(p['id']),
        state: String(p['state']),
        attempts: Number(p['attempts']),
        attemptLog: asPropsList(p['attemptLog']),
      };
    });
  };

  const only = async (alertId: string): Promise<DeliveryRow> => {
    const [d, ...more] = await deliveriesOf(alertId);
    if (!d || more.length > 0) throw new Error(`expected one delivery of ${alertId}`);
    return d;
  };

  const settled = (alertId: string, state: string) =>
    waitFor(`${alertId} ${state}`, async () => {
      const all = await deliveriesOf(alertId);
      return all.length > 0 && all.every((d) => d.state === state) ? all : undefined;
    });

  it('when the receiver fails twice (500, then a dropped connection) and then answers 200, then the delivery is DELIVERED after 3 attempts, each recorded', async () => {
    const r = await receiver((n) => (n === 1 ? 500 : n === 2 ? 'dropped' : 200));
    await enqueue(r.url, [['alert-a', 'RAISED']]);
    dispatcher().start();

    const [d] = await settled('alert-a', 'DELIVERED');
    expect(d?.attempts).toBe(3);
    expect(d?.['deliveredAt']).toEqual(expect.any(String));
    expect(d?.['nextAttemptAt'] ?? null).toBeNull();
    expect(d?.['claimedBy'] ?? null).toBeNull();
    expect(d?.['lastError']).toEqual(expect.any(String));
    const log = d?.attemptLog ?? [];
    expect(log.map((a) => [a['n'], a['ok'], a['httpStatus'] ?? null])).toEqual([
      [1, false, 500],
      [2, false, null],
      [3, true, 200],
    ]);
    expect(log[0]?.['error']).toMatch(/^HTTP 500: answer 500/);
    expect(log[1]?.['error']).toEqual(expect.any(String));
    expect(log[1]?.['error']).not.toBe('');
    expect(log[2]?.['error'] ?? null).toBeNull();
    expect(log.every((a) => typeof a['ms'] === 'number' && typeof a['at'] === 'string')).toBe(true);

    // the receiver saw the same delivery three times, told apart by attempt and sentAt
    expect(r.posts).toHaveLength(3);
    const bodies = r.posts.map((p) => JSON.parse(p.body) as Envelope);
    expect(new Set(r.posts.map((p) => p.deliveryId))).toEqual(new Set([d?.id]));
    expect(bodies.map((b) => [b.deliveryId, b.event, b.attempt])).toEqual([
      [d?.id, 'RAISED', 1],
      [d?.id, 'RAISED', 2],
      [d?.id, 'RAISED', 3],
    ]);
    expect(bodies.every((b) => typeof b.sentAt === 'string')).toBe(true);
    expect(bodies[2]?.alert).toEqual(notice('alert-a', 'RAISED'));
    const headers = r.posts[2]?.headers ?? {};
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('twin-graph');
    expect(headers['x-twin-graph-event']).toBe('RAISED');
    expect(r.posts[2]?.path).toBe('/hook');
  });

  it('when the receiver is down while one dispatcher runs and stops, then a new dispatcher (after a restart) delivers each delivery exactly once', async () => {
    // a port that refuses: the receiver listens once to reserve it, then goes down
    const r = await receiver();
    await r.stop();
    const alerts = ['down-1', 'down-2', 'down-3', 'down-4'];
    await enqueue(
      r.url,
      alerts.map((id) => [id, 'RAISED']),
    );
    const before = dispatcher();
    before.start();
    await waitFor('two refused attempts each', async () => {
      const all = await Promise.all(alerts.map(only));
      return all.every((d) => d.attempts >= 2);
    });
    await before.stop();

    const stopped = await Promise.all(alerts.map(only));
    for (const d of stopped) {
      expect(d.state).toBe('PENDING');
      expect(d['claimedBy'] ?? null).toBeNull();
      expect(
        d.attemptLog.every((a) => a['ok'] === false && (a['httpStatus'] ?? null) === null),
      ).toBe(true);
      expect(String(d.attemptLog[0]?.['error'])).toMatch(/ECONNREFUSED/);
    }
    expect(r.posts).toHaveLength(0);

    await r.start(); // the same port, now up
    const after = dispatcher();
    after.start();
    const delivered = await Promise.all(alerts.map((id) => settled(id, 'DELIVERED')));
    await after.runOnce(); // one more poll: nothing left to send
    expect(r.posts.map((p) => p.deliveryId).sort()).toEqual(delivered.map(([d]) => d?.id).sort());
    for (const [d] of delivered) {
      // the whole log in the message when it fails (once in CI, 2026-12-02: the last attempt was
      // not the ok one; not reproduced in 6 local runs)
      const log = d?.attemptLog ?? [];
      expect({ delivery: d?.id, last: log.at(-1), log }).toMatchObject({ last: { ok: true } });
      expect(log.filter((a) => a['ok'] === true)).toHaveLength(1);
    }
  });

  it('when an instance crashed holding a claim, then its claim runs out and another instance sends the delivery; a live claim is left alone', async () => {
    const r = await receiver();
    await enqueue(r.url, [
      ['crashed', 'RAISED'],
      ['held', 'RAISED'],
    ]);
    const past = new Date(Date.now() - 1000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await graph.write(
      `MATCH (d:AlertDelivery) SET d.claimedBy = 'gone', d.claimToken = 'gone:1',
         d.claimedUntil = CASE d.alertId WHEN 'crashed' THEN $past ELSE $future END`,
      { past, future },
    );
    const d = dispatcher();
    expect(await d.runOnce()).toBe(1);
    expect((await only('crashed')).state).toBe('DELIVERED');
    expect((await only('held')).state).toBe('PENDING');
    expect(r.posts.map((p) => JSON.parse(p.body) as Envelope).map((b) => b.alert.id)).toEqual([
      'crashed',
    ]);
  });

  it('when three dispatchers poll the same outbox at once, then each delivery is POSTed once', async () => {
    // Before claims were checked again under a lock, one delivery in a few hundred was sent by two
    // dispatchers (read PENDING, then its claim read as cleared by the attempt that delivered it).
    const r = await receiver();
    const alerts = Array.from({ length: 100 }, (_, i) => `pair-${i}`);
    await enqueue(
      r.url,
      alerts.flatMap((id): [string, AlertEventKind][] => [
        [id, 'RAISED'],
        [id, 'RESOLVED'],
      ]),
    );
    const options = { pollMs: 5, batchSize: 7, concurrency: 3 };
    const one = dispatcher(options);
    const two = dispatcher(options);
    const three = dispatcher(options);
    one.start();
    two.start();
    three.start();
    await waitFor('every delivery delivered', async () => {
      const rows = await graph.read(
        `MATCH (d:AlertDelivery) WHERE d.state <> 'DELIVERED' RETURN count(d) AS left`,
      );
      return rows[0]?.['left'] === 0;
    });
    const ids = r.posts.map((p) => p.deliveryId);
    expect(new Set(ids).size).toBe(200);
    // Never sent by both at once: a delivery is POSTed again only after an attempt of it was
    // recorded as failed (on a loaded machine an answer can come after WEBHOOK_TIMEOUT_MS: at
    // least once, as documented), so POSTs = attempts, and extra POSTs = failed attempts.
    const rows = await graph.read(
      `MATCH (d:AlertDelivery)-[:ATTEMPT]->(a:DeliveryAttempt)
       RETURN count(a) AS n, sum(CASE WHEN a.ok THEN 0 ELSE 1 END) AS failed`,
    );
    expect(rows[0]?.['n']).toBe(ids.length);
    expect(ids.length - 200).toBe(rows[0]?.['failed']);
    // and each alert's RAISED reached the receiver before its RESOLVED
    for (const id of alerts) {
      const events = r.posts
        .map((p) => JSON.parse(p.body) as Envelope)
        .filter((b) => b.alert.id === id)
        .map((b) => b.event);
      expect(events.filter((e, i) => events[i - 1] !== e)).toEqual(['RAISED', 'RESOLVED']);
    }
  });

  it('when a claim reads a delivery while an attempt that delivers it is being recorded, then the claim waits for it and does not send it again', async () => {
    const r = await receiver();
    await enqueue(r.url, [['racing', 'RAISED']]);
    // another instance's attempt record: the delivery DELIVERED and its claim cleared, not yet
    // committed (its transaction holds the delivery's lock)
    let commit = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let locked = (): void => undefined;
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const recording = graph.transaction('WRITE', async (tx) => {
      await tx.run(
        `MATCH (d:AlertDelivery {alertId: 'racing'})
         SET d.state = 'DELIVERED', d.deliveredAt = $now, d.nextAttemptAt = null`,
        { now: new Date().toISOString() },
      );
      locked();
      await held;
    });
    await lockTaken;
    const d = dispatcher();
    const claiming = d.runOnce();
    // the claim is waiting for the delivery's lock
    await waitFor('the claim blocked on the record', async () => {
      const rows = await graph.read(
        `SHOW TRANSACTIONS YIELD metaData, status
         WHERE metaData.operationName = 'webhook-dispatch' AND status STARTS WITH 'Blocked'
         RETURN count(*) AS n`,
      );
      return Number(rows[0]?.['n']) > 0;
    });
    commit();
    await recording;
    expect(await claiming).toBe(0);
    expect(r.posts).toEqual([]);
    const after = await only('racing');
    expect(after.state).toBe('DELIVERED');
    expect(after['claimToken'] ?? null).toBeNull();
  });

  it('when the RAISED delivery fails first, then the RESOLVED one of the same alert waits for it and is received after it', async () => {
    // the first two RAISED of each alert fail
    const failures = new Map<string, number>();
    const r = new WebhookReceiver((post) => {
      const alertId = (JSON.parse(post.body) as Envelope).alert.id;
      const n = failures.get(alertId) ?? 0;
      if (post.event === 'RAISED' && n < 2 && alertId !== 'unrelated') {
        failures.set(alertId, n + 1);
        return 503;
      }
      return 200;
    });
    receivers.push(r);
    await r.start();
    // separate transactions; the second stamped earlier, as an instance with a slow clock would
    const now = Date.now();
    await enqueue(r.url, [['ordered', 'RAISED']], new Date(now).toISOString());
    await enqueue(r.url, [['ordered', 'RESOLVED']], new Date(now - 5000).toISOString());
    // one transaction with both events (raised and resolved within one telemetry batch)
    await enqueue(r.url, [
      ['same-tx', 'RAISED'],
      ['same-tx', 'ACKNOWLEDGED'],
      ['same-tx', 'RESOLVED'],
    ]);
    // another alert to the same receiver is not held up by them
    await enqueue(r.url, [['unrelated', 'RAISED']]);
    dispatcher({ concurrency: 8 }).start();
    await settled('ordered', 'DELIVERED');
    await settled('same-tx', 'DELIVERED');
    await settled('unrelated', 'DELIVERED');

    const seen = (alertId: string) =>
      r.posts
        .map((p) => ({ status: p.answer, body: JSON.parse(p.body) as Envelope }))
        .filter((p) => p.body.alert.id === alertId)
        .map((p) => `${p.body.event}:${String(p.status)}`);
    expect(seen('ordered')).toEqual(['RAISED:503', 'RAISED:503', 'RAISED:200', 'RESOLVED:200']);
    expect(seen('same-tx')).toEqual([
      'RAISED:503',
      'RAISED:503',
      'RAISED:200',
      'ACKNOWLEDGED:200',
      'RESOLVED:200',
    ]);
    expect(seen('unrelated')).toEqual(['RAISED:200']);
  });

  it('when the retry window has passed, then the delivery ends FAILED and the log says so at warn', async () => {
    const r = await receiver(() => 503);
    await enqueue(r.url, [['given-up', 'RAISED']]);
    const lines: string[] = [];
    const d = dispatcher({ retryMs: 0, log: memoryLog(lines, 'warn') });
    expect(await d.runOnce()).toBe(1);
    const failed = await only('given-up');
    expect(failed.state).toBe('FAILED');
    expect(failed.attempts).toBe(1);
    expect(failed['lastError']).toMatch(/^HTTP 503/);
    expect(failed['nextAttemptAt'] ?? null).toBeNull();
    expect(failed['failedAt']).toEqual(expect.any(String));
    expect(lines.join('\n')).toMatch(/FAILED after 1 attempts.*retryAlertDelivery/s);
    // nothing more is tried
    expect(await d.runOnce()).toBe(0);
    expect(r.posts).toHaveLength(1);
  });

  it('when the receiver never answers, then the attempt is recorded as a timeout', async () => {
    const r = await receiver(() => 'hang');
    await enqueue(r.url, [['silent', 'RAISED']]);
    const d = dispatcher({ timeoutMs: 300, retryMs: 0 });
    expect(await d.runOnce()).toBe(1);
    const failed = await only('silent');
    expect(failed.state).toBe('FAILED');
    expect(failed.attemptLog).toHaveLength(1);
    expect(failed.attemptLog[0]?.['httpStatus'] ?? null).toBeNull();
    expect(failed.attemptLog[0]?.['error']).toBe('timeout: no answer within 300 ms');
  });

  it('when a receiver answers with an endless body, then the dispatcher reads only a few KB of it', async () => {
    const r = await receiver((n) => ({ flood: n === 1 ? 500 : 200 }));
    await enqueue(r.url, [['flood', 'RAISED']]);
    const d = dispatcher({ timeoutMs: 20_000 });
    d.start();
    const [delivered] = await settled('flood', 'DELIVERED');
    const log = delivered?.attemptLog ?? [];
    expect(log.map((a) => a['httpStatus'])).toEqual([500, 200]);
    expect(String(log[0]?.['error'])).toMatch(/^HTTP 500: x{100}/);
    expect(String(log[0]?.['error']).length).toBeLessThan(300);
  });

  it('when a URL is not http or https, then nothing is sent and the delivery is FAILED at once', async () => {
    await enqueue('file:///etc/passwd', [['bad-url', 'RAISED']]);
    expect(await dispatcher().runOnce()).toBe(1);
    const failed = await only('bad-url');
    expect(failed.state).toBe('FAILED');
    expect(failed['lastError']).toMatch(/only http and https/);
  });

  it('when the dispatcher stops, then it waits for the attempt in flight and gives back what it claimed but did not send', async () => {
    const r = await receiver(() => 'hang');
    await enqueue(r.url, [
      ['stop-1', 'RAISED'],
      ['stop-2', 'RAISED'],
    ]);
    const d = dispatcher({ concurrency: 1, timeoutMs: 500 });
    const run = d.runOnce();
    await waitFor('the first POST', () => r.posts.length === 1);
    await d.stop();
    expect(await run).toBe(1);
    const [first, second] = [await only('stop-1'), await only('stop-2')].sort(
      (a, b) => b.attempts - a.attempts,
    );
    expect(first?.attempts).toBe(1);
    expect(first?.attemptLog[0]?.['error']).toMatch(/timeout|aborted/);
    expect(first?.state).toBe('PENDING');
    expect(second?.attempts).toBe(0);
    expect(second?.['claimedBy'] ?? null).toBeNull();
    expect(r.posts).toHaveLength(1);
    // a stopped dispatcher does no more work
    expect(await d.runOnce()).toBe(0);
  });
});

describe('webhook deliveries through GraphQL', () => {
  let app: TestApp;
  let r: WebhookReceiver;
  /** Alerts whose deliveries the receiver refuses (503) for now. */
  const refused = new Set<string>(['gql-2']);

  beforeAll(async () => {
    r = new WebhookReceiver((post) =>
      refused.has((JSON.parse(post.body) as Envelope).alert.id) ? 503 : 200,
    );
    await r.start();
    // the app's own dispatcher sends: fast polls, and a failure ends a delivery (window 0)
    app = await startTestApp({
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_RETRY_HOURS: '0',
      WEBHOOK_MAX_BACKOFF_S: '1',
      WEBHOOK_TIMEOUT_MS: '2000',
      MAX_PAGE_SIZE: '100',
    });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    const at = new Date().toISOString();
    await app.graph.write(
      `UNWIND $ids AS id
       CREATE (:Alert {id: id, ruleId: 'rule-gql', kind: 'OUT_OF_RANGE', severity: 'WARNING',
                       state: 'RAISED', message: 'too hot', raisedAt: $at, lastSeenAt: $at,
                       count: 1, aboutLabel: 'Asset', aboutId: 'A1', assetId: 'A1'})`,
      { ids: ['gql-1', 'gql-2', 'gql-3'], at },
    );
    await app.graph.transaction('WRITE', (tx) =>
      enqueueDeliveries(
        tx,
        [
          { notice: notice('gql-1', 'RAISED'), url: r.url },
          { notice: notice('gql-1', 'RESOLVED'), url: r.url },
          { notice: notice('gql-2', 'RAISED'), url: r.url },
        ],
        at,
      ),
    );
    await waitFor('gql-1 delivered and gql-2 failed', async () => {
      const rows = await app.graph.read(
        `MATCH (d:AlertDelivery) RETURN d.alertId AS alertId, d.state AS state`,
      );
      const states = rows.map((row) => `${String(row['alertId'])}:${String(row['state'])}`);
      return (
        states.filter((x) => x === 'gql-1:DELIVERED').length === 2 &&
        states.includes('gql-2:FAILED')
      );
    });
  });
  afterAll(async () => {
    await app.stop();
    await r.stop();
  });

  interface Delivery {
    id: string;
    alertId: string;
    event: string;
    url: string;
    state: string;
    attempts: number;
    lastError: string | null;
    createdAt: string;
    nextAttemptAt: string | null;
    deliveredAt: string | null;
    attemptLog: { n: number; ok: boolean; httpStatus: number | null; error: string | null }[];
  }
  const FIELDS = `id alertId event url state attempts lastError createdAt nextAttemptAt deliveredAt
    attemptLog { n at ok httpStatus error ms }`;

  const list = async (args: string): Promise<Delivery[]> => {
    const res = await gql(app, `{ alertDeliveries${args} { ${FIELDS} } }`);
    expect(res.errors).toBeUndefined();
    return res.data?.['alertDeliveries'] as Delivery[];
  };

  it('when deliveries are listed, then they come newest first, filtered by state or alert, with their attempts', async () => {
    const failed = await list('(state: FAILED)');
    expect(failed.map((d) => [d.alertId, d.event, d.state, d.attempts])).toEqual([
      ['gql-2', 'RAISED', 'FAILED', 1],
    ]);
    expect(failed[0]?.lastError).toMatch(/^HTTP 503/);
    expect(failed[0]?.nextAttemptAt).toBeNull();
    expect(failed[0]?.attemptLog).toEqual([
      expect.objectContaining({ n: 1, ok: false, httpStatus: 503 }),
    ]);

    const ofOne = await list('(alertId: "gql-1")');
    expect(ofOne.map((d) => [d.event, d.state])).toEqual([
      ['RESOLVED', 'DELIVERED'],
      ['RAISED', 'DELIVERED'],
    ]);
    expect(ofOne.every((d) => d.deliveredAt !== null && d.url === r.url)).toBe(true);
    expect(await list('(first: 1)')).toHaveLength(1);
  });

  it('when "first" is above MAX_PAGE_SIZE, then the query is refused as BAD_USER_INPUT', async () => {
    const res = await gql(app, `{ alertDeliveries(first: 101) { id } }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/"first" must be from 0 to 100/);
  });

  it("when alerts are listed with their deliveries, then one query reads every alert's deliveries and one their attempts", async () => {
    const plain = await gql(app, `{ alerts(first: 10) { edges { node { id } } } }`);
    const nested = await gql(
      app,
      `{ alerts(first: 10) { edges { node { id deliveries { id event state attemptLog { n ok } } } } } }`,
    );
    expect(nested.errors).toBeUndefined();
    const nodes = (
      nested.data?.['alerts'] as {
        edges: { node: { id: string; deliveries: Delivery[] } }[];
      }
    ).edges.map((e) => e.node);
    const byId = new Map(nodes.map((n) => [n.id, n.deliveries]));
    expect(byId.get('gql-1')?.map((d) => d.event)).toEqual(['RAISED', 'RESOLVED']);
    expect(byId.get('gql-2')?.map((d) => d.state)).toEqual(['FAILED']);
    expect(byId.get('gql-3')).toEqual([]);
    expect(
      Number(nested.extensions?.['cypherQueries']) - Number(plain.extensions?.['cypherQueries']),
    ).toBe(2);
  });

  it('when a FAILED delivery is re-sent, then it is PENDING due now and the dispatcher delivers it', async () => {
    const [failed] = await list('(state: FAILED)');
    refused.delete('gql-2');
    const res = await gql(app, `mutation($id: ID!) { retryAlertDelivery(id: $id) { ${FIELDS} } }`, {
      id: failed?.id,
    });
    expect(res.errors).toBeUndefined();
    const retried = res.data?.['retryAlertDelivery'] as Delivery;
    expect(retried.state).toBe('PENDING');
    expect(Date.parse(retried.nextAttemptAt ?? '')).toBeLessThanOrEqual(Date.now());

    const [delivered] = await waitFor('the re-sent delivery delivered', async () => {
      const rows = await list('(alertId: "gql-2")');
      return rows[0]?.state === 'DELIVERED' ? rows : undefined;
    });
    expect(delivered?.attempts).toBe(2);
    expect(delivered?.attemptLog.map((a) => [a.n, a.ok, a.httpStatus])).toEqual([
      [1, false, 503],
      [2, true, 200],
    ]);
    const posts = r.posts.filter((p) => p.deliveryId === failed?.id);
    expect(posts.map((p) => p.answer)).toEqual([503, 200]);
  });

  it('when a DELIVERED delivery is re-sent, then it is refused as BAD_USER_INPUT; an unknown id is NOT_FOUND', async () => {
    const [delivered] = await list('(alertId: "gql-1", first: 1)');
    const again = await gql(app, `mutation($id: ID!) { retryAlertDelivery(id: $id) { id } }`, {
      id: delivered?.id,
    });
    expect(again.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(/already delivered/);
    const unknown = await gql(app, `mutation { retryAlertDelivery(id: "no-such") { id } }`);
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(r.posts.filter((p) => p.deliveryId === delivered?.id)).toHaveLength(1);
  });
});
