import { z } from 'zod';
import type { SimulationResult } from './model';
import type { ScenarioInput } from './scenario';

/*
 * What a saved scenario keeps as JSON strings on its node (`input`, `result`), read back through
 * these schemas: a property written by hand or by an older version is refused with a message
 * rather than handed to the engine or to a client half-formed.
 */

const opt = <T extends z.ZodTypeAny>(t: T) => t.nullable().default(null);
const window = z.object({ assetId: z.string(), startDay: opt(z.number()), hours: z.number() });

const inputSchema = z.object({
  startAt: opt(z.string()),
  horizonDays: z.number(),
  stepHours: opt(z.number()),
  supplierOutages: opt(
    z.array(z.object({ supplierId: z.string(), startDay: opt(z.number()), days: z.number() })),
  ),
  shipmentDelays: opt(z.array(z.object({ shipmentId: z.string(), days: z.number() }))),
  assetDowntimes: opt(z.array(window)),
  maintenanceWindows: opt(z.array(window)),
  shiftChanges: opt(z.array(z.object({ lineId: z.string(), shiftsPerDay: z.number() }))),
  demandChanges: opt(z.array(z.object({ productId: z.string(), factor: z.number() }))),
  factoryIds: opt(z.array(z.string())),
  runs: opt(z.number()),
  seed: opt(z.number()),
  seriesProductIds: opt(z.array(z.string())),
  standingSupply: opt(z.boolean()),
});

const n = z.number();
// every KPI of model.ts: parseStoredResult's return type fails to check if one is missing
const kpisSchema = z.object({
  fillRate: n,
  unitsProduced: n,
  unitsShort: n,
  lateOrders: n,
  revenueLost: n,
});
const resultSchema = z.object({
  kpis: kpisSchema,
  baseline: kpisSchema,
  delta: kpisSchema,
  inventory: z.array(
    z.object({
      factoryId: z.string(),
      productId: z.string(),
      start: n,
      end: n,
      received: n,
      produced: n,
      consumed: n,
      shipped: n,
      min: n,
    }),
  ),
  production: z.array(
    z.object({ lineId: z.string(), productId: z.string(), units: n, capacityUnits: n }),
  ),
  stockouts: z.array(
    z.object({ factoryId: z.string(), productId: z.string(), fromDay: n, days: n }),
  ),
  lateOrders: z.array(
    z.object({ orderId: z.string(), daysLate: n, unitsShort: n, unitsUndelivered: n }),
  ),
  series: z.array(
    z.object({
      factoryId: z.string(),
      productId: z.string(),
      day: z.array(n),
      inventory: z.array(n),
      produced: z.array(n),
      consumed: z.array(n),
      received: z.array(n),
      shipped: z.array(n),
    }),
  ),
  bands: z.array(z.object({ metric: z.string(), p10: n, p50: n, p90: n })),
  runs: n,
  seed: n,
  steps: n,
  startAt: z.string(),
  horizonDays: n,
  stepHours: n,
  representativeRun: n,
});

/** JSON text, parsed and checked; `what` names the property in the error. */
function parseJson<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${what} does not have the expected shape: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'}`,
    );
  }
  return parsed.data;
}

export function parseStoredInput(text: string, scenarioId: string): ScenarioInput {
  return parseJson(inputSchema, text, `the stored input of scenario "${scenarioId}"`);
}

export function parseStoredResult(text: string, scenarioId: string): SimulationResult {
  return parseJson(resultSchema, text, `the stored result of scenario "${scenarioId}"`);
}
