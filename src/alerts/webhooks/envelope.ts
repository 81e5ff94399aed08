import type { AlertEventKind, AlertNotice } from '../model';

/**
 * What a webhook receiver gets (docs/webhooks.md): one JSON object per delivery,
 *
 * ```json
 * { "deliveryId": "…", "event": "RAISED", "sentAt": "…", "attempt": 1, "alert": { …the notice… } }
 * ```
 *
 * The outbox stores the envelope without `sentAt` and `attempt` (they are not known when the alert
 * changes); each attempt adds them when it sends, so a receiver sees when this very POST left and
 * how many tried before it.
 */
export interface Envelope {
  /** Also the `x-twin-graph-delivery` header: the same on every attempt, so receivers deduplicate by it. */
  deliveryId: string;
  event: AlertEventKind;
  /** When this attempt was sent (ISO-8601, UTC). */
  sentAt?: string;
  /** 1 for the first attempt, counting every attempt of the delivery. */
  attempt?: number;
  /** The alert as it stood at the event (`AlertNotice`). */
  alert: AlertNotice;
}

/** The envelope as stored in `AlertDelivery.body`: no `sentAt` or `attempt` yet. */
export function storedBody(deliveryId: string, notice: AlertNotice): string {
  const envelope: Envelope = { deliveryId, event: notice.event, alert: notice };
  return JSON.stringify(envelope);
}

/**
 * The body of one attempt: the stored envelope with `sentAt` and `attempt` put after `event`
 * (keys in a fixed order, easy to read in a receiver's log). A stored body that is not a JSON
 * object (written by hand) is sent as it is.
 */
export function bodyForAttempt(stored: string, sentAt: string, attempt: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return stored;
  const fields = new Map(Object.entries(parsed));
  const rest = [...fields].filter(
    ([k]) => !['deliveryId', 'event', 'sentAt', 'attempt'].includes(k),
  );
  return JSON.stringify({
    deliveryId: fields.get('deliveryId'),
    event: fields.get('event'),
    sentAt,
    attempt,
    ...Object.fromEntries(rest),
  });
}

/** The headers of every attempt. */
export function deliveryHeaders(deliveryId: string, event: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'twin-graph',
    'x-twin-graph-event': event,
    'x-twin-graph-delivery': deliveryId,
  };
}

/** Only these URLs are sent to (the rule validation refuses others; this guards the outbox). */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `only http and https URLs are called, not ${parsed.protocol}`;
  }
  return null;
}
