import type { FlowRow } from '../twins/import/document';
import {
  capacityFactor,
  dailyConsumption as consumptionOf,
  type LineShape,
  type ProductionLink,
  type Station,
} from '../impact/quantities';
import type { SeedDocument } from './document';

/*
 * The shared quantities of docs/analysis.md on a seed document: thin adapters to
 * src/impact/quantities.ts, which the analyses use too, so the seeds size inventory in days of
 * cover with the very numbers the impact analysis will report.
 */

export { capacityFactor, hoursPerDay, maxStationFlow } from '../impact/quantities';

/** `c(L)` for every line of the document (a flow belongs to the line of its `from` asset). */
export function capacityFactors(doc: SeedDocument): Map<string, number> {
  const assetsByLine = new Map<string, Station[]>();
  for (const a of doc.assets) {
    const list = assetsByLine.get(a.lineId);
    if (list === undefined) assetsByLine.set(a.lineId, [a]);
    else list.push(a);
  }
  const lineOf = new Map(doc.assets.map((a) => [a.id, a.lineId]));
  const flowsByLine = new Map<string, FlowRow[]>();
  for (const f of doc.flows) {
    const line = lineOf.get(f.from);
    if (line === undefined) continue;
    const list = flowsByLine.get(line);
    if (list === undefined) flowsByLine.set(line, [f]);
    else list.push(f);
  }
  return new Map(
    doc.lines.map((l) => [
      l.id,
      capacityFactor(assetsByLine.get(l.id) ?? [], flowsByLine.get(l.id) ?? []),
    ]),
  );
}

/** `cons(F,C)` for every factory and component with a positive value, keyed factory → product. */
export function dailyConsumption(doc: SeedDocument): Map<string, Map<string, number>> {
  const factors = capacityFactors(doc);
  const lines = new Map<string, { factoryId: string; shape: LineShape; capacity: number }>(
    doc.lines.map((l) => [
      l.id,
      { factoryId: l.factoryId, shape: l, capacity: factors.get(l.id) ?? 1 },
    ]),
  );
  const production: ProductionLink[] = [];
  for (const p of doc.production) {
    const line = lines.get(p.lineId);
    if (line !== undefined) production.push({ ...p, factoryId: line.factoryId });
  }
  return consumptionOf(production, doc.bom, lines);
}
