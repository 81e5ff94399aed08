import type { Graph } from '../../graph/executor';
import { asPropsList, optStr } from '../../graph/props';
import { key, loadConsumption, type InboundShipment } from '../../impact/impact.load';
import { consumption } from '../../impact/impact.service';
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
import { describeShipment, howLate, readLate, type LateShipment } from './shipment-late';
import { COVER_SWEEP } from './sweep.cypher';
import { DAY_MS, days, figure, iso } from './time';

/**
 * The delay a late shipment is assumed to have, in days after its eta: as late again as it is
 * already, and at least a day (a DELAYED shipment whose eta is still ahead is 0 days late).
 * For a shipment more than a day past its eta, that puts its arrival at the sweep's time.
 */
export function assumedDelayDays(daysLate: number): number {
  return Math.max(daysLate, 1);
}

/** What a cover figure is computed from: the impact module's inputs for (F, C). */
export interface CoverInputs {
  /** STOCKS.quantity of C at F (0 when none). */
  onHand: number;
  /** IN_TRANSIT and DELAYED shipments of C to F with their etas (all of them; filtered here). */
  inbound: readonly InboundShipment[];
  /** cons(F, C), units a day (> 0). */
  daily: number;
}

export interface Cover {
  /** The delay assumed (days after the eta). */
  delayDays: number;
  /** The other shipments' quantity counted in: those due by the late arrival. */
  inbound: number;
  daysOfCover: number;
  /** Days from now until the late shipment is assumed to arrive (0 when that is now or past). */
  daysToArrival: number;
  /**
   * Days of cover left when it arrives: what is on hand and due by then, less what is consumed
   * until then, in days of consumption (daysOfCover − daysToArrival).
   */
  coverAtArrival: number;
}

/**
 * Days of cover of (F, C) when shipment X (of C to F) is `delayDays` late, as
 * `impact(shipmentDelay {X, delayDays})` computes them (domain.md §4): (onHand + Σ other
 * IN_TRANSIT or DELAYED shipments of C to F with eta ≤ X's eta + delay) / cons(F, C). An unknown
 * eta counts as now, as there.
 */
export function coverWhenLate(
  shipment: Pick<LateShipment, 'id' | 'etaMs' | 'factoryId' | 'productId'>,
  delayDays: number,
  inputs: CoverInputs,
  nowMs: number,
): Cover {
  const arrivalMs = (shipment.etaMs ?? nowMs) + delayDays * DAY_MS;
  const inbound = inputs.inbound
    .filter(
      (s) =>
        s.id !== shipment.id &&
        s.factoryId === shipment.factoryId &&
        s.componentId === shipment.productId &&
        s.etaMs <= arrivalMs,
    )
    .reduce((sum, s) => sum + s.quantity, 0);
  const daysOfCover = (inputs.onHand + inbound) / inputs.daily;
  const daysToArrival = Math.max(0, (arrivalMs - nowMs) / DAY_MS);
  return {
    delayDays,
    inbound,
    daysOfCover,
    daysToArrival,
    coverAtArrival: daysOfCover - daysToArrival,
  };
}

/** A late shipment that may leave its destination short: one with a factory, a product and a safety stock. */
function mayLeaveShort(
  s: LateShipment,
): s is LateShipment & { factoryId: string; productId: string } {
  return s.factoryId !== null && s.productId !== null && (s.safetyStock ?? 0) > 0;
}

/**
 * COVER_BELOW_SAFETY: for each late shipment (as SHIPMENT_LATE has it) of component C to a factory
 * F in a rule's scope, the days of cover of (F, C) with the shipment late by `assumedDelayDays`;
 * bad when below what the safety stock needs, `safetyStock / cons(F, C)` (never without a safety
 * stock or a consumption). One observation per rule and (F, C), about F, with the worst shipment's
 * cover as its value; an open alert whose (F, C) has no such shipment any more gets a clear.
 *
 * Two round trips: the late shipments with the open alerts, then the impact module's
 * consumption inputs (loadConsumption) for all their components and factories at once, skipped
 * when no late shipment has a safety stock to fall below.
 */
export async function evaluateCoverBelowSafety(
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Promise<Observation[]> {
  if (rules.length === 0) return [];
  const [row] = await graph.read(COVER_SWEEP, {
    ...timeParams(nowMs),
    rules: rules.map(factoryScopeParam),
  });
  const late = readLate(perRule(asPropsList(row?.['late'])), nowMs);
  const open = asPropsList(row?.['open']).map(readOpen);
  const candidates = late.filter(mayLeaveShort);
  const inputsOf = new Map<string, CoverInputs>();
  if (candidates.length > 0) {
    const componentIds = [...new Set(candidates.map((s) => s.productId))].sort();
    const factoryIds = [...new Set(candidates.map((s) => s.factoryId))].sort();
    const loaded = await loadConsumption(graph, componentIds, factoryIds);
    const cons = consumption(loaded);
    for (const s of candidates) {
      const k = key(s.factoryId, s.productId);
      if (inputsOf.has(k)) continue;
      inputsOf.set(k, {
        onHand: loaded.onHand.get(k) ?? 0,
        inbound: loaded.inbound.filter(
          (i) => i.factoryId === s.factoryId && i.componentId === s.productId,
        ),
        daily: cons.get(s.factoryId)?.get(s.productId) ?? 0,
      });
    }
  }
  return coverObservations(late, inputsOf, open, nowMs);
}

/**
 * The observations (pure): `inputsOf` has the cover inputs by `factoryId|componentId`; a late
 * shipment whose (F, C) has none, or a consumption of 0, is never bad.
 */
export function coverObservations(
  late: readonly LateShipment[],
  inputsOf: ReadonlyMap<string, CoverInputs>,
  open: readonly OpenSubject[],
  nowMs: number,
): Observation[] {
  const now = iso(nowMs);
  const bad: Observation[] = [];
  for (const s of late) {
    if (!mayLeaveShort(s)) continue;
    const subjectId = key(s.factoryId, s.productId);
    const inputs = inputsOf.get(subjectId);
    const safetyStock = s.safetyStock ?? 0;
    if (!inputs || !(inputs.daily > 0)) continue;
    const cover = coverWhenLate(s, assumedDelayDays(s.daysLate), inputs, nowMs);
    const needed = safetyStock / inputs.daily;
    // the late shipment leaves too little when it finally lands: the stock has dipped into
    // what the safety stock should keep by then
    if (!(cover.coverAtArrival < needed)) continue;
    const component = label(s.row, 'productName', s.productId);
    const factory = label(s.row, 'factoryName', s.factoryId);
    bad.push(
      observation({
        ruleId: s.ruleId,
        subjectId,
        about: { label: 'Factory', id: s.factoryId },
        condition: 'bad',
        at: now,
        message:
          `${component} at ${factory} will have ${days(cover.coverAtArrival, 2)} of cover left ` +
          `when the shipment lands in ${days(cover.daysToArrival, 2)}, below the ` +
          `${days(needed, 2)} its safety stock of ${figure(safetyStock)} needs at ` +
          `${figure(inputs.daily)} a day: ${describeShipment(s)} ${howLate(s)}; assumed to ` +
          `arrive ${days(cover.delayDays)} after its eta, with ${figure(inputs.onHand)} on hand ` +
          `and ${figure(cover.inbound)} more due by then`,
        value: cover.coverAtArrival,
        factoryId: s.factoryId,
      }),
    );
  }
  // the worst shipment of each (rule, F, C) first: withClears keeps the first
  bad.sort((a, b) => (a.value ?? 0) - (b.value ?? 0) || a.message.localeCompare(b.message));
  const withLate = new Set(
    late.flatMap((s) =>
      s.factoryId === null || s.productId === null
        ? []
        : [`${s.ruleId}|${key(s.factoryId, s.productId)}`],
    ),
  );
  return withClears(bad, open, (o) => {
    // the factory the alert recorded, else the subject's part before the first '|'
    const factoryId = optStr(o.row, 'factoryId') ?? o.subjectId.split('|')[0] ?? o.subjectId;
    return observation({
      ruleId: o.ruleId,
      subjectId: o.subjectId,
      about: { label: 'Factory', id: factoryId },
      condition: 'clear',
      at: now,
      message: withLate.has(`${o.ruleId}|${o.subjectId}`)
        ? `The late shipments of ${o.subjectId} leave enough cover for its safety stock`
        : `No shipment of ${o.subjectId} is late any more`,
      factoryId,
    });
  });
}
