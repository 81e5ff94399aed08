import type { Graph } from '../../graph/executor';
import { SWEEP_RULE_KINDS, type AlertRuleDef, type Observation } from '../model';
import { evaluateAssetDown } from './asset-down';
import { evaluateCoverBelowSafety } from './cover';
import { evaluateMissingData } from './missing-data';
import { evaluateShipmentLate } from './shipment-late';

/*
 * The evaluators of the time-based rule kinds (docs/alert-rules-sweep.md): what the periodic
 * sweep observes at one time, for the alert store to apply.
 */

type SweepKind = (typeof SWEEP_RULE_KINDS)[number];

const EVALUATORS: Record<
  SweepKind,
  (graph: Graph, rules: readonly AlertRuleDef[], nowMs: number) => Promise<Observation[]>
> = {
  ASSET_DOWN: evaluateAssetDown,
  MISSING_DATA: evaluateMissingData,
  SHIPMENT_LATE: evaluateShipmentLate,
  COVER_BELOW_SAFETY: evaluateCoverBelowSafety,
};

/**
 * The observations at `nowMs` of the enabled rules of the sweep kinds (ASSET_DOWN, MISSING_DATA,
 * SHIPMENT_LATE, COVER_BELOW_SAFETY; other kinds and disabled rules are ignored): a bad one per
 * subject whose condition holds, a clear per subject with an open alert of the rule whose
 * condition no longer holds. Grouped by kind in SWEEP_RULE_KINDS order, then by rule and subject.
 *
 * At most five Cypher round trips whatever the number of rules and twins: one per kind that has
 * an enabled rule, and one more for COVER_BELOW_SAFETY when a late shipment has a safety stock to
 * fall below. The kinds run concurrently.
 */
export async function evaluateSweep(
  graph: Graph,
  rules: readonly AlertRuleDef[],
  nowMs: number,
): Promise<Observation[]> {
  const parts = await Promise.all(
    SWEEP_RULE_KINDS.map((kind) =>
      EVALUATORS[kind](
        graph,
        rules.filter((r) => r.enabled && r.kind === kind),
        nowMs,
      ),
    ),
  );
  return parts.flat();
}
