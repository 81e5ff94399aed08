import { randomUUID } from 'node:crypto';
import type { Graph } from '../../graph/executor';
import { asProps } from '../../graph/props';
import { errorText, type Log } from '../../log';
import { nextStep, type NextStep } from './backoff';
import { bodyForAttempt, deliveryHeaders } from './envelope';
import { readDelivery, type StoredDelivery } from './outbox';
import {
  ANY_DUE,
  CLAIM_DUE,
  LOCK_CLAIMS,
  LOCK_DUE,
  RECORD_ATTEMPT,
  RELEASE_CLAIMS,
} from './outbox.cypher';
import { type AttemptOutcome, postOnce } from './send';

export interface WebhookDispatcherOptions {
  /** Names this instance on its claims (`claimedBy`) and attempts (`by`). */
  instanceId: string;
  /** How often due deliveries are looked for (WEBHOOK_POLL_MS). */
  pollMs: number;
  /** An attempt without an answer in this long fails as a timeout (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** A delivery still failing this long after createdAt ends FAILED (WEBHOOK_RETRY_HOURS). */
  retryMs: number;
  /** Longest wait between two attempts of one delivery (WEBHOOK_MAX_BACKOFF_S). */
  maxBackoffMs: number;
  log: Log;
  /** Deliveries claimed per poll (default 50). */
  batchSize?: number;
  /** POSTs in flight at once (default 8). */
  concurrency?: number;
  /** A claim lasts as long as its batch can take to send, plus this (default 15 s). */
  claimMarginMs?: number;
  /** Told of each attempt's outcome once it was recorded (or could not be): the metrics. */
  onAttempt?: (outcome: AttemptRecord) => void;
}

/**
 * What became of an attempt: delivered, failed and retried later, failed for good, not recorded
 * (Neo4j away: the claim runs out and it is sent again), or recorded after another instance
 * took the delivery over.
 */
export type AttemptRecord = 'delivered' | 'retry' | 'failed' | 'unrecorded' | 'superseded';

const DEFAULT_BATCH = 50;
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_CLAIM_MARGIN_MS = 15_000;
/** After aborting the attempts in flight, stop() waits this long for their records. */
const SETTLE_MS = 5_000;

/**
 * Sends the webhook outbox (docs/webhooks.md). Every instance may run one: a poll claims due
 * PENDING deliveries in a write transaction (so no two instances send one delivery at once, and
 * the claim of a crashed instance runs out), POSTs them, and records each attempt. All state is in
 * the graph, so a delivery that has not been sent when the API stops is sent after it restarts.
 */
export class WebhookDispatcher {
  private readonly graph: Graph;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly claimMarginMs: number;
  private readonly stopSignal = new AbortController();
  private readonly runs = new Set<Promise<number>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** The poll is failing (Neo4j away): said once at warn, then at debug until it works again. */
  private pollFailing = false;

  constructor(
    graph: Graph,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.graph = graph.scope({ operationName: 'webhook-dispatch' });
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.claimMarginMs = Math.max(0, options.claimMarginMs ?? DEFAULT_CLAIM_MARGIN_MS);
  }

  /** Starts polling (the first poll right away). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /**
   * Stops polling, gives back claimed deliveries not yet sent, waits for the attempts in flight up
   * to the attempt timeout, then aborts them (they are recorded as failed and retried later, by
   * any instance). Never throws.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      const settled = Promise.allSettled([...this.runs]).then(() => true);
      if (await within(settled, this.options.timeoutMs)) return;
      this.stopSignal.abort();
      if (!(await within(settled, SETTLE_MS))) {
        this.options.log.warn(
          'webhook dispatcher stopped before its last attempts were recorded; their claims run out and another instance sends them',
        );
      }
    })().catch((err: unknown) => {
      this.options.log.error(`stopping the webhook dispatcher: ${errorText(err)}`);
    });
    return this.stopping;
  }

  /**
   * One poll: claims up to 50 due deliveries and sends them, 8 at a time. Returns how many
   * were attempted. Throws when the graph cannot be read (the poll loop logs it and goes on).
   */
  async runOnce(): Promise<number> {
    if (this.stopped) return 0;
    const run = this.sendBatch();
    this.runs.add(run);
    try {
      return await run;
    } finally {
      this.runs.delete(run);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let attempted = 0;
    try {
      attempted = await this.runOnce();
      if (this.pollFailing) this.options.log.info('webhook deliveries: polling works again');
      this.pollFailing = false;
    } catch (err) {
      const text = `webhook deliveries: poll failed (will retry every ${this.options.pollMs} ms): ${errorText(err)}`;
      if (this.pollFailing) this.options.log.debug(text);
      else this.options.log.warn(text);
      this.pollFailing = true;
    }
    // a full batch: there may be more due right now
    this.schedule(attempted >= this.batchSize ? 0 : this.options.pollMs);
  }

  private async sendBatch(): Promise<number> {
    const token = `${this.options.instanceId}:${randomUUID()}`;
    const now = Date.now();
    // the batch is sent `concurrency` at a time: its claim lasts as long as every round can take
    const rounds = Math.ceil(this.batchSize / this.concurrency);
    const claimedUntilMs = now + rounds * this.options.timeoutMs + this.claimMarginMs;
    const claimed = await this.claim(token, now, claimedUntilMs);
    if (claimed.length === 0) return 0;
    const queue = [...claimed];
    let attempted = 0;
    const worker = async (): Promise<void> => {
      while (!this.stopped) {
        // a claim about to run out (the event loop stalled) is left to the next poll
        if (Date.now() + this.options.timeoutMs > claimedUntilMs) return;
        const delivery = queue.shift();
        if (!delivery) return;
        attempted += 1;
        await this.attempt(delivery, token);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    if (queue.length > 0) await this.release(queue, token);
    return attempted;
  }

  private async claim(token: string, now: number, untilMs: number): Promise<StoredDelivery[]> {
    const params = {
      now: new Date(now).toISOString(),
      until: new Date(untilMs).toISOString(),
      token,
      instanceId: this.options.instanceId,
      limit: this.batchSize,
    };
    const due = await this.graph.read(ANY_DUE, params);
    if (due[0]?.['due'] !== true) return [];
    const rows = await this.graph.transaction('WRITE', async (tx) => {
      await tx.run(LOCK_CLAIMS, params);
      const locked = await tx.run(LOCK_DUE, params);
      if (locked.length === 0) return [];
      return tx.run(CLAIM_DUE, { ...params, ids: locked.map((r) => r['id']) });
    });
    return rows.map((r) => readDelivery(asProps(r['delivery'])));
  }

  /** Gives back what was claimed and not sent, so the next poll of any instance takes it at once. */
  private async release(deliveries: StoredDelivery[], token: string): Promise<void> {
    try {
      await this.graph.write(RELEASE_CLAIMS, { ids: deliveries.map((d) => d.id), token });
    } catch (err) {
      this.options.log.debug(
        `webhook deliveries: could not give back ${deliveries.length} claims (they run out by themselves): ${errorText(err)}`,
      );
    }
  }

  private async attempt(delivery: StoredDelivery, token: string): Promise<void> {
    const n = delivery.attempts + 1;
    const at = new Date().toISOString();
    const outcome = await postOnce(
      delivery.url,
      bodyForAttempt(delivery.body, at, n),
      deliveryHeaders(delivery.id, delivery.event),
      this.options.timeoutMs,
      this.stopSignal.signal,
    );
    const step = nextStep(delivery, outcome, Date.now(), {
      retryMs: this.options.retryMs,
      maxBackoffMs: this.options.maxBackoffMs,
    });
    await this.record(delivery, token, at, outcome, step);
  }

  private async record(
    d: StoredDelivery,
    token: string,
    at: string,
    outcome: AttemptOutcome,
    step: NextStep,
  ): Promise<void> {
    const log = this.options.log;
    const what = `webhook delivery ${d.id} (${d.event} of alert ${d.alertId}) to ${d.url}`;
    let applied = false;
    try {
      const rows = await this.graph.write(RECORD_ATTEMPT, {
        id: d.id,
        token,
        instanceId: this.options.instanceId,
        at,
        ok: outcome.ok,
        httpStatus: outcome.httpStatus,
        error: outcome.error,
        ms: outcome.ms,
        state: step.state,
        nextAttemptAt: step.state === 'PENDING' ? step.nextAttemptAt : null,
      });
      applied = rows[0]?.['applies'] === true;
    } catch (err) {
      // the claim runs out and the delivery is sent again: at least once, never lost
      log.warn(
        `${what}: attempt ${d.attempts + 1} (${outcome.ok ? 'delivered' : outcome.error}) could not be recorded: ${errorText(err)}`,
      );
      this.options.onAttempt?.('unrecorded');
      return;
    }
    this.options.onAttempt?.(
      !applied
        ? 'superseded'
        : step.state === 'DELIVERED'
          ? 'delivered'
          : step.state === 'FAILED'
            ? 'failed'
            : 'retry',
    );
    if (!applied) {
      log.info(`${what}: attempt recorded, but another instance took the delivery over meanwhile`);
    } else if (step.state === 'DELIVERED') {
      log.debug(`${what}: delivered at attempt ${d.attempts + 1} (HTTP ${outcome.httpStatus})`);
    } else if (step.state === 'FAILED') {
      log.warn(
        `${what} FAILED after ${d.attempts + 1} attempts, ${step.reason}; last error: ${outcome.error}. ` +
          'Re-send it with the retryAlertDelivery mutation once the receiver works.',
      );
    } else {
      log.debug(
        `${what}: attempt ${d.attempts + 1} failed (${outcome.error}); next at ${step.nextAttemptAt}`,
      );
    }
  }
}

/** Whether `done` settles within `ms`. */
async function within(done: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([done, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
