import type { StateMessage, TelemetryMessage } from './payload';
import { mulberry32 } from '../domain/prng';
import {
  MetricWalk,
  DemoFeedPlan,
  toAlternativeUnit,
  type FeedAsset,
  type FeedMetric,
} from './demo-feed';
import { convert } from '../domain/units';

const press: FeedAsset = {
  factoryId: 'F1',
  lineId: 'L1',
  assetId: 'A1',
  status: 'RUNNING',
  metrics: [
    { name: 'hydraulicPressure', unit: 'bar', min: 0, max: 320 },
    { name: 'oilTemperature', unit: 'Cel', min: 10, max: 65 },
    { name: 'vibration', unit: 'mm/s', min: 0, max: 7.1 },
  ],
};
const robot = (assetId: string, status = 'RUNNING'): FeedAsset => ({
  factoryId: 'F1',
  lineId: 'L2',
  assetId,
  status,
  metrics: [{ name: 'power', unit: 'kW', min: 0, max: 12 }],
});
const t0 = new Date('2026-11-25T10:00:00.000Z');

function walk(metric: FeedMetric, steps: number, seed = 42): number[] {
  const w = new MetricWalk(metric, mulberry32(seed));
  return Array.from({ length: steps }, () => w.next());
}

describe('topics', () => {
  it('when an asset reports, then topics follow prefix/factory/line/asset/kind', () => {
    const sim = new DemoFeedPlan({
      prefix: 'acme/twin',
      assets: [press],
      stateChangeEvery: 1,
      random: mulberry32(1),
    });
    const { state, reporting } = sim.beginRound(t0);
    expect(state.map((m) => m.topic)).toEqual(['acme/twin/F1/L1/A1/state']);
    expect(reporting).toEqual([]); // A1 is away now
    expect(sim.telemetry(0, t0).topic).toBe('acme/twin/F1/L1/A1/telemetry');
  });

  it('when an id cannot be a topic level, then the simulation refuses to start', () => {
    const bad = { ...press, assetId: 'A/1' };
    expect(() => new DemoFeedPlan({ assets: [bad] })).toThrow(/assetId/);
  });
});

describe('alternative units', () => {
  it('when a metric is in Cel, then it may go out in [degF]', () => {
    expect(toAlternativeUnit(100, 'Cel')).toEqual({ value: 212, unit: '[degF]' });
    expect(toAlternativeUnit(-40, 'Cel')).toEqual({ value: -40, unit: '[degF]' });
  });

  it('when a metric is in bar, then it may go out in [psi]', () => {
    expect(toAlternativeUnit(1, 'bar')).toEqual({ value: 14.5038, unit: '[psi]' });
    expect(toAlternativeUnit(200, 'bar')?.value).toBeCloseTo(2900.755, 3);
  });

  it('when the ingest converts an alternative reading back, then it gets the canonical value', () => {
    for (const [value, unit] of [
      [71.3, 'Cel'],
      [-12.5, 'Cel'],
      [205.7, 'bar'],
    ] as const) {
      const alt = toAlternativeUnit(value, unit);
      const back = alt && convert(alt.value, alt.unit, unit);
      expect(back?.ok && back.value).toBeCloseTo(value, 3);
    }
  });

  it('when a unit has no alternative here, then it goes out as it is', () => {
    expect(toAlternativeUnit(3, 'mm/s')).toBeUndefined();
    expect(toAlternativeUnit(3, 'kW')).toBeUndefined();
  });
});

describe('MetricWalk', () => {
  const metric: FeedMetric = { name: 'oilTemperature', unit: 'Cel', min: 10, max: 65 };

  it('when walking, then readings stay in the middle 80% but for rare spikes just beyond the range', () => {
    const values = walk(metric, 20_000);
    const inMiddle = values.filter((v) => v >= 15.5 && v <= 59.5).length;
    const outside = values.filter((v) => v < 10 || v > 65).length;
    expect(inMiddle / values.length).toBeGreaterThan(0.98);
    expect(outside / values.length).toBeGreaterThan(0.002);
    expect(outside / values.length).toBeLessThan(0.01);
    // "slightly" out: never more than a tenth of the range beyond a bound
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10 - 5.5);
    expect(Math.max(...values)).toBeLessThanOrEqual(65 + 5.5);
  });

  it('when walking, then consecutive readings are close (a smooth walk, not noise)', () => {
    const values = walk(metric, 2000).filter((v) => v >= 10 && v <= 65);
    const jumps = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
    const median = [...jumps].sort((a, b) => a - b)[Math.floor(jumps.length / 2)] as number;
    expect(median).toBeLessThan(0.05 * 55);
  });

  it('when the range is small, then readings keep enough decimals', () => {
    const values = walk({ name: 'airVelocity', unit: 'm/s', min: 0.25, max: 0.55 }, 200);
    expect(new Set(values).size).toBeGreaterThan(100);
  });

  it('when max is missing, then readings stay below a guessed ceiling and spikes only cross min', () => {
    const onlyMin = walk({ name: 'x', unit: 'kW', min: 0, max: null }, 5000);
    expect(onlyMin.every((v) => Number.isFinite(v) && v <= 100)).toBe(true);
    const none = walk({ name: 'y', unit: '1', min: null, max: null }, 500);
    expect(none.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('when seeded alike, then two walks give the same readings', () => {
    expect(walk(metric, 500, 7)).toEqual(walk(metric, 500, 7));
    expect(walk(metric, 500, 7)).not.toEqual(walk(metric, 500, 8));
  });
});

describe('DemoFeedPlan', () => {
  it('when an asset reports, then the payload has an ISO ts and one reading per metric', () => {
    const sim = new DemoFeedPlan({ assets: [press], random: mulberry32(1) });
    const { reporting } = sim.beginRound(t0);
    expect(reporting).toEqual([0]);
    const message = sim.telemetry(0, t0);
    expect(message.topic).toBe('twin/F1/L1/A1/telemetry');
    const payload = message.payload as TelemetryMessage;
    expect(payload.ts).toBe('2026-11-25T10:00:00.000Z');
    expect(Object.keys(payload.metrics).sort()).toEqual([
      'hydraulicPressure',
      'oilTemperature',
      'vibration',
    ]);
  });

  it('when many messages go out, then about one in 20 carries a Cel or bar metric in its alternative unit', () => {
    const sim = new DemoFeedPlan({ assets: [press], random: mulberry32(3) });
    let alternative = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const { metrics } = sim.telemetry(0, t0).payload as TelemetryMessage;
      const foreign = Object.entries(metrics).filter(([, v]) => typeof v !== 'number');
      expect(foreign.length).toBeLessThanOrEqual(1);
      for (const [name, reading] of foreign) {
        expect(reading).toEqual({
          value: expect.any(Number),
          unit: name === 'oilTemperature' ? '[degF]' : '[psi]',
        });
        alternative++;
      }
    }
    expect(alternative / n).toBeGreaterThan(0.03);
    expect(alternative / n).toBeLessThan(0.07);
  });

  it('when a foreign-unit reading is converted back, then it is in the canonical range like the others', () => {
    const sim = new DemoFeedPlan({ assets: [press], random: mulberry32(5) });
    for (let i = 0; i < 3000; i++) {
      const { metrics } = sim.telemetry(0, t0).payload as TelemetryMessage;
      const t = metrics['oilTemperature'];
      if (typeof t === 'object') expect(((t.value - 32) * 5) / 9).toBeGreaterThan(10 - 5.5);
      const p = metrics['hydraulicPressure'];
      if (typeof p === 'object') expect(p.value / 14.5038).toBeLessThan(320 + 32);
    }
  });

  it('when assets are DOWN or in MAINTENANCE, then they do not report', () => {
    const sim = new DemoFeedPlan({
      assets: [robot('R1'), robot('R2', 'DOWN'), robot('R3', 'IDLE'), robot('R4', 'MAINTENANCE')],
      stateChangeEvery: 0,
      random: mulberry32(1),
    });
    expect(sim.beginRound(t0)).toEqual({ state: [], reporting: [0, 2] });
  });

  it('when stateChangeEvery intervals pass, then one running asset changes state and later returns to RUNNING', () => {
    const assets = [robot('R1'), robot('R2'), robot('R3')];
    const sim = new DemoFeedPlan({ assets, stateChangeEvery: 4, random: mulberry32(9) });
    const rounds = Array.from({ length: 12 }, () => sim.beginRound(t0));
    const changes = rounds.map((r) =>
      r.state.map((m) => [m.topic, (m.payload as StateMessage).status]),
    );
    expect(changes.slice(0, 3)).toEqual([[], [], []]);
    expect(changes[3]).toHaveLength(1);
    const [topic, status] = changes[3]?.[0] ?? [];
    expect(topic).toMatch(/^twin\/F1\/L2\/R[123]\/state$/);
    expect(['DOWN', 'IDLE', 'MAINTENANCE']).toContain(status);
    expect(changes[4]).toEqual([]);
    // back after half of stateChangeEvery (2 intervals)
    expect(changes[5]).toEqual([[topic, 'RUNNING']]);
    expect(changes[7]).toHaveLength(1);
    const away = assets.findIndex((a) => topic === `twin/F1/L2/${a.assetId}/state`);
    const idle = status === 'IDLE';
    expect(rounds[4]?.reporting.includes(away)).toBe(idle);
    expect(rounds[5]?.reporting).toEqual([0, 1, 2]);
    const payload = rounds[3]?.state[0]?.payload as StateMessage;
    expect(payload.reason).toEqual(expect.any(String));
    expect(payload.ts).toBe(t0.toISOString());
  });

  it('when seeded alike, then the whole message sequence is the same', () => {
    const run = (seed: number) => {
      const sim = new DemoFeedPlan({
        assets: [press, robot('R1'), robot('R2')],
        stateChangeEvery: 3,
        random: mulberry32(seed),
      });
      return Array.from({ length: 30 }, () => {
        const { state, reporting } = sim.beginRound(t0);
        return [...state, ...reporting.map((i) => sim.telemetry(i, t0))];
      });
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });
});
