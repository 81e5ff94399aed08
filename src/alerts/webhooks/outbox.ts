import { randomUUID } from 'node:crypto';
import type { Tx } from '../../graph/executor';
import { num, optStr, type Props } from '../../graph/props';
import type { AlertNotice } from '../model';
import { storedBody } from './envelope';
import { ENQUEUE_DELIVERIES } from './outbox.cypher';

/** Where a delivery stands: waiting for (another) attempt, received, or given up. */
export const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const asDeliveryState = (v: unknown): DeliveryState =>
  DELIVERY_STATES.find((s) => s === v) ?? 'PENDING';

/**
 * Puts one webhook delivery per item into the outbox, in the caller's transaction (the one that
 * raises, acknowledges or resolves the alert), so a delivery exists exactly when its event was
 * committed. Items of one alert must come in the order of its events. Call it after the alert
 * itself was written in that transaction (see ENQUEUE_DELIVERIES). One statement whatever the
 * number of items; nothing is sent here: the WebhookDispatcher of any instance sends it.
 */
export async function enqueueDeliveries(
  tx: Tx,
  items: { notice: AlertNotice; url: string }[],
  nowIso: string,
): Promise<void> {
  if (items.length === 0) return;
  const rows = items.map(({ notice, url }, i) => {
    const id = randomUUID();
    return {
      id,
      i,
      alertId: notice.id,
      ruleId: notice.ruleId,
      event: notice.event,
      url,
      body: storedBody(id, notice),
    };
  });
  await tx.run(ENQUEUE_DELIVERIES, { rows, now: nowIso });
}

/** A delivery as read from the graph. */
export interface StoredDelivery {
  id: string;
  alertId: string;
  ruleId: string | null;
  event: string;
  url: string;
  state: DeliveryState;
  attempts: number;
  seq: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  retriedAt: string | null;
  retryBase: number;
  /** Only where it is to be sent (a claim); '' elsewhere. */
  body: string;
}

export function readDelivery(p: Props): StoredDelivery {
  return {
    id: String(p['id']),
    alertId: String(p['alertId']),
    ruleId: optStr(p, 'ruleId'),
    event: String(p['event']),
    url: String(p['url']),
    state: asDeliveryState(p['state']),
    attempts: num(p, 'attempts', 0),
    seq: num(p, 'seq', 0),
    lastError: optStr(p, 'lastError'),
    createdAt: String(p['createdAt']),
    nextAttemptAt: optStr(p, 'nextAttemptAt'),
    deliveredAt: optStr(p, 'deliveredAt'),
    failedAt: optStr(p, 'failedAt'),
    retriedAt: optStr(p, 'retriedAt'),
    retryBase: num(p, 'retryBase', 0),
    body: optStr(p, 'body') ?? '',
  };
}
