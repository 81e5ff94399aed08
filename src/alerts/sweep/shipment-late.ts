import type { Graph } from '../../graph/executor';
import { asPropsList, optNum, optStr, str, type Props } from '../../graph/props';
import type { AlertRuleDef, Observation } from '../model';
import {
  perRule,
  factoryScopeParam,
  label,
  observation,
  readOpen,
  timeParams,
  withClears,
  type OpenSubject,
} from './common';
import { SHIPMENT_LATE_SWEEP } from './sweep.cypher';
import { DAY_MS, days, iso, readTimeMs } from './time';

/** A shipment that is late at the sweep's time, for one rule, as the messages need it. */
export interface LateShipment {
  ruleId: string;
  id: string;
  status: string;
  /** The eta, null when it is missing or does not parse. */
  etaMs: number | null;
  /** Days past the eta (0 when the eta is ahead or unknown). */
  daysLate: number;
  quantity: number | null;
  factoryId: string | null;
  productId: string | null;
  supplierId: string | null;
  /** The destination's STOCKS.safetyStock of the product (null: none). */
  safetyStock: number | null;
  /** The row as read, for names. */
  row: Props;
}

/**
 * Late: DELAYED whatever its eta, or PLANNED / IN_TRANSIT with its eta before `nowMs` (a shipment
 * due exactly now is not late yet). DELIVERED and CANCELLED never are; nor is a PLANNED or
 * IN_TRANSIT shipment whose eta is missing or does not parse (nothing says it is late).
 */
export function isLate(status: string | null, etaMs: number | null, nowMs: number): boolean {
  if (status === 'DELAYED') return true;
  return (status === 'PLANNED' || status === 'IN_TRANSIT') && etaMs !== null && etaMs < nowMs;
}

/** The rows of LATE_SHIPMENTS that are late at `nowMs` (the statement only pre-filters). */
export function readLate(rows: readonly Props[], nowMs: number): LateShipment[] {
  return rows.flatMap((r) => {
    const status = optStr(r, 'status');
    const etaMs = readTimeMs(r['eta']);
    if (status === null || !isLate(status, etaMs, nowMs)) return [];
    return [
      {
        ruleId: str(r, 'ruleId'),
        id: str(r, 'id'),
        status,
        etaMs,
        daysLate: etaMs === null ? 0 : Math.max(0, (nowMs - etaMs) / DAY_MS),
        quantity: optNum(r, 'quantity'),
        factoryId: optStr(r, 'factoryId'),
        productId: optStr(r, 'productId'),
        supplierId: optStr(r, 'supplierId'),
        safetyStock: optNum(r, 'safetyStock'),
        row: r,
      },
    ];
  });
}

/** "Shipment SH1 of 2000 × Door (P2) from Acme (S1) to Leipzig (F1)". */
export function describeShipment(s: LateShipment): string {
  const product =
    s.productId === null ? 'an unknown product' : label(s.row, 'productName', s.productId);
  const supplier =
    s.supplierId === null ? 'an unknown supplier' : label(s.row, 'supplierName', s.supplierId);
  const factory = s.factoryId === null ? 'no factory' : label(s.row, 'factoryName', s.factoryId);
  const quantity = s.quantity === null ? '' : `${s.quantity} × `;
  return `Shipment ${s.id} of ${quantity}${product} from ${supplier} to ${factory}`;
}

/** "is DELAYED and 3.2 days past its eta 2026-…", "is 1 day past its eta … and not delivered (IN_TRANSIT)". */
export function howLate(s: LateShipment): string {
  const eta = s.etaMs === null ? null : iso(s.etaMs);
  if (s.status === 'DELAYED') {
    if (eta === null) return 'is DELAYED (it has no eta)';
    return s.daysLate > 0
      ? `is DELAYED and ${days(s.daysLate)} past its eta ${eta}`
      : `is DELAYED (eta ${eta})`;
  }
  return `is ${days(s.daysLate)} past its eta ${eta ?? '?'} and not delivered (${s.status})`;
}

/**
 * SHIPMENT_LATE: each late shipment to a factory in a rule's scope is bad, with its days past
 * the eta as the value (0 for a DELAYED shipment whose eta is ahead); an open alert whose shipment
 * was delivered, cancelled, is on time again or is gone gets a clear. One round trip.
 */
export async function evaluateShipmentLate(
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Promise<Observation[]> {
  if (rules.length === 0) return [];
  const [row] = await graph.read(SHIPMENT_LATE_SWEEP, {
    ...timeParams(nowMs),
    rules: rules.map(factoryScopeParam),
  });
  return shipmentLateObservations(
    readLate(perRule(asPropsList(row?.['late'])), nowMs),
    asPropsList(row?.['open']).map(readOpen),
    nowMs,
  );
}

/** The observations of the late shipments and open alerts (pure). */
export function shipmentLateObservations(
  late: readonly LateShipment[],
  open: readonly OpenSubject[],
  nowMs: number,
): Observation[] {
  const now = iso(nowMs);
  const bad = late.map((s) =>
    observation({
      ruleId: s.ruleId,
      subjectId: s.id,
      about: { label: 'Shipment', id: s.id },
      condition: 'bad',
      at: now,
      message: `${describeShipment(s)} ${howLate(s)}`,
      value: s.daysLate,
      factoryId: s.factoryId,
    }),
  );
  return withClears(bad, open, (s) => {
    const status = optStr(s.row, 'status');
    const etaMs = readTimeMs(s.row['eta']);
    const message =
      s.row['exists'] !== true
        ? `Shipment ${s.subjectId} no longer exists`
        : status === 'DELIVERED' || status === 'CANCELLED'
          ? `Shipment ${s.subjectId} is ${status}`
          : isLate(status, etaMs, nowMs)
            ? `Shipment ${s.subjectId} is late but no longer in the rule's scope`
            : `Shipment ${s.subjectId} is ${status ?? 'without status'} and on time${
                etaMs === null ? '' : ` (eta ${iso(etaMs)})`
              }`;
    return observation({
      ruleId: s.ruleId,
      subjectId: s.subjectId,
      about: { label: 'Shipment', id: s.subjectId },
      condition: 'clear',
      at: now,
      message,
      factoryId: optStr(s.row, 'factoryId'),
    });
  });
}
