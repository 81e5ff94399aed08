import { badInput, type Problem } from '../errors';
import type { AssetWindow, Scenario, Snapshot } from './model';

/** Client input, as GraphQL or a stored Scenario gives it (every field but horizonDays optional). */
export interface ScenarioInput {
  startAt?: string | null;
  horizonDays: number;
  stepHours?: number | null;
  supplierOutages?: { supplierId: string; startDay?: number | null; days: number }[] | null;
  shipmentDelays?: { shipmentId: string; days: number }[] | null;
  assetDowntimes?: { assetId: string; startDay?: number | null; hours: number }[] | null;
  maintenanceWindows?: { assetId: string; startDay?: number | null; hours: number }[] | null;
  shiftChanges?: { lineId: string; shiftsPerDay: number }[] | null;
  demandChanges?: { productId: string; factor: number }[] | null;
  factoryIds?: string[] | null;
  runs?: number | null;
  seed?: number | null;
  seriesProductIds?: string[] | null;
  standingSupply?: boolean | null;
}

export interface SimulationLimits {
  maxHorizonDays: number;
  maxRuns: number;
  maxSeriesProducts: number;
}

/** Most entries one list of changes may have (each is cheap; a million of them is not). */
export const MAX_CHANGES = 1000;

const DEFAULT_SEED = 1;

/**
 * The scenario, or a BAD_USER_INPUT TwinError listing every problem with its path
 * (`supplierOutages[0].supplierId: unknown supplier "S9"`). Ids are checked against the snapshot
 * the run will use, so an id outside the run's factories is refused like an unknown one.
 */
export function validateScenario(
  input: ScenarioInput,
  snapshot: Snapshot,
  limits: SimulationLimits,
  nowMs: number,
): Scenario {
  const problems: Problem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const check = new Checks(problem);

  const horizonDays = input.horizonDays;
  if (!Number.isFinite(horizonDays) || horizonDays <= 0) {
    problem('horizonDays', `must be a number of days above 0, got ${String(horizonDays)}`);
  } else if (horizonDays > limits.maxHorizonDays) {
    problem(
      'horizonDays',
      `at most ${limits.maxHorizonDays} days (SIM_MAX_HORIZON_DAYS), got ${horizonDays}`,
    );
  }
  const horizon = Number.isFinite(horizonDays) && horizonDays > 0 ? horizonDays : Infinity;
  const stepHours = input.stepHours ?? 24;
  if (stepHours !== 1 && stepHours !== 24) {
    problem('stepHours', `must be 1 (hourly) or 24 (daily), got ${String(stepHours)}`);
  }
  let startMs = nowMs;
  if (input.startAt !== undefined && input.startAt !== null) {
    startMs = Date.parse(input.startAt);
    if (Number.isNaN(startMs)) {
      problem('startAt', `"${input.startAt}" is not an ISO-8601 date-time`);
    }
  }
  const runs = input.runs ?? 1;
  if (!Number.isSafeInteger(runs) || runs < 1) {
    problem('runs', `must be a whole number of runs of at least 1, got ${String(runs)}`);
  } else if (runs > limits.maxRuns) {
    problem('runs', `at most ${limits.maxRuns} runs here, got ${runs}`);
  }
  const seed = input.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) problem('seed', `must be a whole number, got ${String(seed)}`);

  const suppliers = new Set(snapshot.suppliers.map((s) => s.id));
  const shipments = new Map(snapshot.shipments.map((s) => [s.id, s]));
  const assets = new Set(snapshot.lines.flatMap((l) => l.stations.map((s) => s.id)));
  const lines = new Map(snapshot.lines.map((l) => [l.id, l]));
  const products = new Set(snapshot.products.map((p) => p.id));
  const factories = new Set(snapshot.factories.map((f) => f.id));
  const outside = (input.factoryIds ?? null) === null ? '' : " (or not in the run's factoryIds)";

  const supplierOutages = check.list('supplierOutages', input.supplierOutages, (o, path) => {
    check.known(`${path}.supplierId`, o.supplierId, suppliers, 'supplier', '');
    const startDay = check.startDay(`${path}.startDay`, o.startDay, horizon);
    check.positive(`${path}.days`, o.days, 'days');
    return { supplierId: o.supplierId, startDay, days: o.days };
  });
  const shipmentDelays = check.list('shipmentDelays', input.shipmentDelays, (d, path) => {
    const s = shipments.get(d.shipmentId);
    if (s === undefined)
      problem(`${path}.shipmentId`, `unknown shipment "${d.shipmentId}"${outside}`);
    else if (!['PLANNED', 'IN_TRANSIT', 'DELAYED'].includes(s.status)) {
      problem(
        `${path}.shipmentId`,
        `shipment "${d.shipmentId}" is ${s.status}; only PLANNED, IN_TRANSIT or DELAYED shipments can be delayed`,
      );
    }
    check.nonNegative(`${path}.days`, d.days, 'days');
    return { shipmentId: d.shipmentId, days: d.days };
  });
  const window = (
    w: { assetId: string; startDay?: number | null; hours: number },
    path: string,
  ): AssetWindow => {
    check.known(`${path}.assetId`, w.assetId, assets, 'asset', outside);
    const startDay = check.startDay(`${path}.startDay`, w.startDay, horizon);
    check.positive(`${path}.hours`, w.hours, 'hours');
    return { assetId: w.assetId, startDay, hours: w.hours };
  };
  const assetDowntimes = check.list('assetDowntimes', input.assetDowntimes, window);
  const maintenanceWindows = check.list('maintenanceWindows', input.maintenanceWindows, window);
  const changedLines = new Set<string>();
  const shiftChanges = check.list('shiftChanges', input.shiftChanges, (c, path) => {
    const line = lines.get(c.lineId);
    if (line === undefined) problem(`${path}.lineId`, `unknown line "${c.lineId}"${outside}`);
    else if (changedLines.has(c.lineId))
      problem(
        `${path}.lineId`,
        `line "${c.lineId}" is changed twice; give one shiftsPerDay per line`,
      );
    changedLines.add(c.lineId);
    if (
      check.nonNegative(`${path}.shiftsPerDay`, c.shiftsPerDay, 'shiftsPerDay') &&
      line !== undefined
    ) {
      if (c.shiftsPerDay * line.hoursPerShift > 24) {
        problem(
          `${path}.shiftsPerDay`,
          `${c.shiftsPerDay} shifts of ${line.hoursPerShift} h is more than 24 hours a day`,
        );
      }
    }
    return { lineId: c.lineId, shiftsPerDay: c.shiftsPerDay };
  });
  const demandChanges = check.list('demandChanges', input.demandChanges, (d, path) => {
    check.known(`${path}.productId`, d.productId, products, 'product', '');
    check.nonNegative(`${path}.factor`, d.factor, 'factor');
    return { productId: d.productId, factor: d.factor };
  });

  let factoryIds: string[] | null = null;
  if (input.factoryIds !== undefined && input.factoryIds !== null) {
    if (input.factoryIds.length === 0) {
      problem(
        'factoryIds',
        'give at least one factory id, or leave factoryIds out to run every factory',
      );
    }
    input.factoryIds.forEach((id, i) =>
      check.known(`factoryIds[${i}]`, id, factories, 'factory', ''),
    );
    factoryIds = [...new Set(input.factoryIds)].sort();
  }
  const seriesProductIds = [...new Set(input.seriesProductIds ?? [])];
  if (seriesProductIds.length > limits.maxSeriesProducts) {
    problem(
      'seriesProductIds',
      `at most ${limits.maxSeriesProducts} products per run (SIM_MAX_SERIES_PRODUCTS), got ${seriesProductIds.length}`,
    );
  }
  (input.seriesProductIds ?? []).forEach((id, i) =>
    check.known(`seriesProductIds[${i}]`, id, products, 'product', ''),
  );

  if (problems.length > 0) {
    const first = problems[0];
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more in extensions.problems)` : '';
    throw badInput(`scenario rejected: ${first?.path}: ${first?.message}${more}`, problems);
  }
  return {
    startMs,
    horizonDays,
    stepHours,
    factoryIds,
    runs,
    seed,
    supplierOutages,
    shipmentDelays,
    assetDowntimes,
    maintenanceWindows,
    shiftChanges,
    demandChanges,
    seriesProductIds: seriesProductIds.sort(),
    standingSupply: input.standingSupply ?? true,
  };
}

/** The checks every list of changes shares; each records problems instead of stopping at the first. */
class Checks {
  constructor(private readonly problem: (path: string, message: string) => void) {}

  list<T, R>(
    name: string,
    items: readonly T[] | null | undefined,
    each: (item: T, path: string) => R,
  ): R[] {
    if (items === undefined || items === null) return [];
    if (items.length > MAX_CHANGES) {
      this.problem(name, `at most ${MAX_CHANGES} entries, got ${items.length}`);
      return [];
    }
    return items.map((item, i) => each(item, `${name}[${i}]`));
  }

  known(path: string, id: string, ids: ReadonlySet<string>, kind: string, outside: string): void {
    if (!ids.has(id)) this.problem(path, `unknown ${kind} "${id}"${outside}`);
  }

  startDay(path: string, value: number | null | undefined, horizon: number): number {
    const day = value ?? 0;
    if (!Number.isFinite(day) || day < 0) {
      this.problem(path, `must be a day of the horizon, 0 or more, got ${String(day)}`);
    } else if (day >= horizon) {
      this.problem(path, `day ${day} is outside the horizon of ${horizon} days`);
    }
    return day;
  }

  positive(path: string, value: number, what: string): boolean {
    const ok = Number.isFinite(value) && value > 0;
    if (!ok) this.problem(path, `${what} must be a finite number above 0, got ${String(value)}`);
    return ok;
  }

  nonNegative(path: string, value: number, what: string): boolean {
    const ok = Number.isFinite(value) && value >= 0;
    if (!ok) this.problem(path, `${what} must be a finite number, 0 or more, got ${String(value)}`);
    return ok;
  }
}
