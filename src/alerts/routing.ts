import type { AlertNotice } from '../domain/alerts';
import type { Tx } from '../graph/executor';
import type { AlertRuleDef } from './model';
import { enqueueDeliveries } from './webhooks/outbox';

/**
 * What a lifecycle step owes to the outside, written in the transaction of the step itself so
 * that nothing is lost between the two: a webhook delivery for each notice whose rule has a
 * webhookUrl (sent, retried and recorded by the webhook dispatcher, docs/webhooks.md).
 */
export async function routeNotices(
  tx: Tx,
  notices: readonly AlertNotice[],
  rules: ReadonlyMap<string, AlertRuleDef>,
  nowIso: string,
): Promise<void> {
  const items = notices.flatMap((notice) => {
    const url = notice.ruleId ? rules.get(notice.ruleId)?.webhookUrl : null;
    return url ? [{ notice, url }] : [];
  });
  if (items.length > 0) await enqueueDeliveries(tx, items, nowIso);
}
