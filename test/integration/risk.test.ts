import { execute, parse } from 'graphql';
import { loadConfig } from '../../src/config';
import { DEFAULT_GENERATOR_NOW, generateDocument } from '../../src/seeds/generate';
import { createContext } from '../../src/server/context';
import { createSchema } from '../../src/server/schema';
import { importDocument } from '../../src/twins/import/service';
import { gql, startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

/*
 * riskExposure on a generated network (3 factories), against the contract of domain.md §4b:
 * the ranking rule, TTR from the supplier or the query, and TTS agreeing with the impact query
 * (no shortfall for an outage of TTS days, a shortfall just above it).
 */
const AS_OF = DEFAULT_GENERATOR_NOW.toISOString();
const RISK = `query($asOf: DateTime, $ttr: Float, $mitigated: Boolean, $first: Int) {
  riskExposure(asOf: $asOf, recoveryDays: $ttr, includeMitigated: $mitigated, first: $first) {
    supplier { id recoveryDays } timeToSurvive timeToRecover
    performanceImpact { revenueLost unitsShort } riskExposureIndex atRisk
    components { factory { id } component { id } timeToSurvive dailyConsumption onHand }
  } }`;

interface Row {
  supplier: { id: string; recoveryDays: number | null };
  timeToSurvive: number | null;
  timeToRecover: number;
  performanceImpact: { revenueLost: number; unitsShort: number };
  riskExposureIndex: number;
  atRisk: boolean;
  components: { factory: { id: string }; component: { id: string }; timeToSurvive: number }[];
}

function isRows(v: unknown): v is Row[] {
  return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && 'supplier' in r);
}

let app: TestApp;
let rows: Row[];

async function risk(vars: Record<string, unknown>): Promise<Row[]> {
  const res = await gql(app, RISK, vars);
  expect(res.errors).toBeUndefined();
  const data = res.data?.['riskExposure'];
  if (!isRows(data)) throw new Error('riskExposure did not answer rows');
  return data;
}

beforeAll(async () => {
  app = await startTestApp({ MQTT_TOPIC_PREFIX: 'risk' });
  await resetTwins(app.graph, app.runtime.telemetry.rules);
  await importDocument(app.graph, generateDocument({ factories: 3, seed: 5 }));
  rows = await risk({ asOf: AS_OF, ttr: 14 });
}, 120_000);
afterAll(async () => {
  await app.stop();
});

describe('riskExposure', () => {
  it('when every supplier is ranked, then REI descends, then TTS ascends with unbounded last, then id', async () => {
    const suppliers = await app.graph.read('MATCH (s:Supplier) RETURN count(s) AS n');
    expect(rows.length).toBe(Number(suppliers[0]?.['n']));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      if (a === undefined || b === undefined) continue;
      const order =
        b.riskExposureIndex - a.riskExposureIndex ||
        (a.timeToSurvive ?? Infinity) - (b.timeToSurvive ?? Infinity) ||
        (a.supplier.id < b.supplier.id ? -1 : 1);
      expect(order).toBeLessThan(0);
    }
    const worst = Math.max(...rows.map((r) => r.performanceImpact.revenueLost));
    expect(worst).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.riskExposureIndex).toBeCloseTo(r.performanceImpact.revenueLost / worst, 9);
      expect(r.timeToRecover).toBe(r.supplier.recoveryDays ?? 14);
      expect(r.atRisk).toBe(r.timeToSurvive !== null && r.timeToSurvive < r.timeToRecover);
      if (r.components.length > 0) {
        expect(r.timeToSurvive).toBe(Math.min(...r.components.map((c) => c.timeToSurvive)));
      } else expect(r.timeToSurvive).toBeNull();
    }
    expect(rows.some((r) => r.atRisk)).toBe(true);
  });

  it('when impact is asked for an outage of TTS days, then nothing falls short; just above, something does', async () => {
    const bounded = rows.filter((r) => r.timeToSurvive !== null && r.timeToSurvive > 1e-3);
    expect(bounded.length).toBeGreaterThan(0);
    for (const r of bounded.slice(0, 12)) {
      const tts = r.timeToSurvive ?? 0;
      const short = async (days: number) => {
        const res = await gql(
          app,
          `query($d: DisruptionInput!, $asOf: DateTime) { impact(disruption: $d, asOf: $asOf) { exposures { shortfallDays } } }`,
          { d: { supplierOutage: { supplierId: r.supplier.id, days } }, asOf: AS_OF },
        );
        expect(res.errors).toBeUndefined();
        const report = res.data?.['impact'];
        const exposures =
          typeof report === 'object' &&
          report !== null &&
          'exposures' in report &&
          Array.isArray(report.exposures)
            ? report.exposures
            : [];
        return exposures.some(
          (e: unknown) =>
            typeof e === 'object' &&
            e !== null &&
            'shortfallDays' in e &&
            Number(e.shortfallDays) > 1e-9,
        );
      };
      expect({ supplier: r.supplier.id, atTts: await short(tts) }).toEqual({
        supplier: r.supplier.id,
        atTts: false,
      });
      expect({ supplier: r.supplier.id, above: await short(tts + 1e-4) }).toEqual({
        supplier: r.supplier.id,
        above: true,
      });
    }
  });

  it('when recoveryDays and includeMitigated change, then TTR and the exposure rows follow', async () => {
    const short = await risk({ asOf: AS_OF, ttr: 0.5 });
    for (const r of short) expect(r.timeToRecover).toBe(r.supplier.recoveryDays ?? 0.5);
    const mitigated = await risk({ asOf: AS_OF, ttr: 14, mitigated: true });
    const rowsOf = (list: Row[]) => list.reduce((n, r) => n + r.components.length, 0);
    expect(rowsOf(mitigated)).toBeGreaterThanOrEqual(rowsOf(rows));
    expect(await risk({ asOf: AS_OF, first: 3 })).toHaveLength(3);
  });

  it('when the input is out of range, then it says which and what is allowed', async () => {
    const res = await gql(app, RISK, { ttr: -1 });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/recoveryDays must be between 0 and/);
  });

  it('when every supplier is ranked with its twins, then it costs a bounded number of round trips', async () => {
    const schema = await createSchema();
    const ctx = createContext(app.graph.scope(), loadConfig({ ...process.env }));
    const result = await execute({
      schema,
      contextValue: ctx,
      document: parse(RISK),
      variableValues: { asOf: AS_OF },
    });
    expect(result.errors).toBeUndefined();
    // the snapshot, then one batch each for suppliers, factories and products
    expect(ctx.graph.queries).toBeLessThanOrEqual(4);
  });
});
