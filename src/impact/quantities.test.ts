import fc from 'fast-check';
import {
  capacityFactor,
  dailyConsumption,
  dailyOutput,
  hoursPerDay,
  maxStationFlow,
  usableRate,
  type BomLink,
  type Flow,
  type LineShape,
  type ProductionLink,
  type Station,
} from './quantities';

const station = (id: string, ratePerHour: number, status = 'RUNNING'): Station => ({
  id,
  status,
  ratePerHour,
});
const flows = (...pairs: [string, string][]): Flow[] => pairs.map(([from, to]) => ({ from, to }));
const nominal = (s: Station) => s.ratePerHour;

describe('hoursPerDay, usableRate, dailyOutput', () => {
  it('when a line works 2 shifts of 8 hours, then H is 16', () => {
    expect(hoursPerDay({ shiftsPerDay: 2, hoursPerShift: 8 })).toBe(16);
  });

  it('when a station is RUNNING or IDLE, then its rate is usable; otherwise it counts as 0', () => {
    expect(usableRate(station('A', 60, 'RUNNING'))).toBe(60);
    expect(usableRate(station('A', 60, 'IDLE'))).toBe(60);
    expect(usableRate(station('A', 60, 'DOWN'))).toBe(0);
    expect(usableRate(station('A', 60, 'MAINTENANCE'))).toBe(0);
    expect(usableRate(station('A', 60, 'running'))).toBe(0);
  });

  it('when L1 makes 40 doors an hour over 16 hours at c = 1, then out is 640; at c = 0.5, 320', () => {
    const shape = { shiftsPerDay: 2, hoursPerShift: 8 };
    expect(dailyOutput(40, shape, 1)).toBe(640);
    expect(dailyOutput(40, shape, 0.5)).toBe(320);
  });
});

describe('maxStationFlow and capacityFactor (docs/analysis.md, shared quantities)', () => {
  it('when stations are in series, then the flow is the smallest rate', () => {
    const line = [station('press', 60), station('robot', 50)];
    expect(maxStationFlow(line, flows(['press', 'robot']), nominal)).toBe(50);
    expect(capacityFactor(line, flows(['press', 'robot']))).toBe(1);
  });

  it('when stations are in parallel, then their rates add up', () => {
    const line = [station('P', 200), station('W1', 45), station('W2', 30), station('C', 150)];
    const f = flows(['P', 'W1'], ['P', 'W2'], ['W1', 'C'], ['W2', 'C']);
    expect(maxStationFlow(line, f, nominal)).toBe(75);
    // stations with no flow at all are side by side too
    expect(maxStationFlow([station('A', 10), station('B', 20)], [], nominal)).toBe(30);
  });

  it('when one of two welders the line needs is down, then c is 0.5', () => {
    const line = [
      station('P', 100),
      station('W1', 50, 'DOWN'),
      station('W2', 50),
      station('C', 100),
    ];
    const f = flows(['P', 'W1'], ['P', 'W2'], ['W1', 'C'], ['W2', 'C']);
    expect(capacityFactor(line, f)).toBe(0.5);
  });

  it('when a redundant machine is down, then it costs nothing', () => {
    const line = [station('P', 100), station('S1', 100), station('S2', 100), station('C', 100)];
    const f = flows(['P', 'S1'], ['P', 'S2'], ['S1', 'C'], ['S2', 'C']);
    expect(capacityFactor(line, f, new Set(['S1']))).toBe(1);
    expect(capacityFactor(line, f, new Set(['S1', 'S2']))).toBe(0);
  });

  it('when the bottleneck is down, then the line stops and c is 0', () => {
    const line = [station('press', 60), station('robot', 50)];
    expect(capacityFactor(line, flows(['press', 'robot']), new Set(['press']))).toBe(0);
    const downed = [station('press', 60, 'DOWN'), station('robot', 50)];
    expect(capacityFactor(downed, flows(['press', 'robot']))).toBe(0);
  });

  it('when a station is in MAINTENANCE, then it counts as 0; IDLE counts as usable', () => {
    const f = flows(['A', 'B']);
    expect(capacityFactor([station('A', 60, 'MAINTENANCE'), station('B', 50)], f)).toBe(0);
    expect(capacityFactor([station('A', 60, 'IDLE'), station('B', 50)], f)).toBe(1);
    expect(capacityFactor([station('A', 60, 'IDLE'), station('B', 50, 'IDLE')], f)).toBe(1);
  });

  it('when a line has no assets, then c is 1', () => {
    expect(capacityFactor([], [])).toBe(1);
    expect(capacityFactor([], flows(['A', 'B']), new Set(['A']))).toBe(1);
    expect(maxStationFlow([], [], nominal)).toBe(0);
  });

  it('when the nominal flow is 0, then c is 1', () => {
    expect(capacityFactor([station('A', 0)], [])).toBe(1);
    expect(
      capacityFactor([station('A', 0, 'DOWN'), station('B', 10, 'DOWN')], flows(['A', 'B'])),
    ).toBe(1);
    // a closed loop has no station without an incoming flow: nothing enters it
    expect(
      capacityFactor([station('A', 10), station('B', 10)], flows(['A', 'B'], ['B', 'A'])),
    ).toBe(1);
  });

  it('when the stations form a diamond, then the flow is the narrowest of its cuts', () => {
    // A 100 → {B 30, C 50} → D: D 60 is the narrowest, then D 100 leaves B + C = 80
    const f = flows(['A', 'B'], ['A', 'C'], ['B', 'D'], ['C', 'D']);
    const diamond = (d: number) => [
      station('A', 100),
      station('B', 30),
      station('C', 50),
      station('D', d),
    ];
    expect(maxStationFlow(diamond(60), f, nominal)).toBe(60);
    expect(maxStationFlow(diamond(100), f, nominal)).toBe(80);
    expect(capacityFactor(diamond(100), f, new Set(['C']))).toBeCloseTo(30 / 80);
    // two paths A → B 80 → D1 40 and A → C 10 → D2 60 make 50; a cross flow B → D2 lets B's
    // surplus through D2: min(A 100, B + C = 90, D1 + D2 = 100) = 90
    const crossed = [
      station('A', 100),
      station('B', 80),
      station('C', 10),
      station('D1', 40),
      station('D2', 60),
    ];
    const paths = flows(['A', 'B'], ['A', 'C'], ['B', 'D1'], ['C', 'D2']);
    expect(maxStationFlow(crossed, paths, nominal)).toBe(50);
    expect(maxStationFlow(crossed, [...paths, ...flows(['B', 'D2'])], nominal)).toBe(90);
  });

  it('when a line has disconnected components, then their flows add up', () => {
    const line = [station('A', 10), station('B', 5), station('C', 7), station('D', 20)];
    const f = flows(['A', 'B'], ['C', 'D']);
    expect(maxStationFlow(line, f, nominal)).toBe(12);
    expect(capacityFactor(line, f, new Set(['B']))).toBeCloseTo(7 / 12);
  });

  it('when flows name unknown stations, then they are ignored', () => {
    const line = [station('A', 10), station('B', 5)];
    const f = flows(['A', 'B'], ['B', 'GHOST'], ['GHOST', 'A'], ['X', 'Y']);
    // B still has no outgoing flow and A no incoming one: A → B is the whole line
    expect(maxStationFlow(line, f, nominal)).toBe(5);
    expect(capacityFactor(line, f, new Set(['GHOST']))).toBe(1);
  });

  it('when a rate is negative or NaN, then it counts as 0', () => {
    expect(
      maxStationFlow([station('A', -5), station('B', NaN), station('C', 3)], [], nominal),
    ).toBe(3);
  });

  it('when a rate is Infinity, then the flow is unbounded and c stays in [0, 1]', () => {
    const line = [station('A', Infinity), station('B', 10)];
    expect(maxStationFlow(line, [], nominal)).toBe(Infinity);
    expect(maxStationFlow(line, flows(['A', 'B']), nominal)).toBe(10);
    expect(capacityFactor(line, [])).toBe(1);
    expect(capacityFactor(line, [], new Set(['A']))).toBe(0);
  });
});

describe('dailyConsumption', () => {
  const shape: LineShape = { shiftsPerDay: 2, hoursPerShift: 8 };

  it('when L1 makes 640 doors a day that need 4 sheets each, then cons(F1, P2) is 2560', () => {
    const production: ProductionLink[] = [
      { lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 40 },
    ];
    const bom: BomLink[] = [{ parentId: 'P1', componentId: 'P2', quantity: 4 }];
    const cons = dailyConsumption(production, bom, new Map([['L1', { shape, capacity: 1 }]]));
    expect(cons).toEqual(new Map([['F1', new Map([['P2', 2560]])]]));
  });

  it('when several lines and products need a component, then their terms add up per factory', () => {
    const production: ProductionLink[] = [
      { lineId: 'L1', factoryId: 'F1', productId: 'DOOR', ratePerHour: 10 },
      { lineId: 'L2', factoryId: 'F1', productId: 'DOOR', ratePerHour: 5 },
      { lineId: 'L2', factoryId: 'F1', productId: 'HOOD', ratePerHour: 2 },
      { lineId: 'L3', factoryId: 'F2', productId: 'HOOD', ratePerHour: 1 },
    ];
    const bom: BomLink[] = [
      { parentId: 'DOOR', componentId: 'SHEET', quantity: 2 },
      { parentId: 'DOOR', componentId: 'HINGE', quantity: 3 },
      { parentId: 'HOOD', componentId: 'SHEET', quantity: 1 },
    ];
    const lines = new Map([
      ['L1', { shape, capacity: 1 }], // 16 h
      ['L2', { shape: { shiftsPerDay: 1, hoursPerShift: 8 }, capacity: 0.5 }], // 8 h at half
      ['L3', { shape: { shiftsPerDay: 3, hoursPerShift: 8 }, capacity: 1 }], // 24 h
    ]);
    const cons = dailyConsumption(production, bom, lines);
    // F1 SHEET: 10·16·2 + 5·4·2 + 2·4·1 = 320 + 40 + 8; HINGE: 10·16·3 + 5·4·3 = 480 + 60
    expect(cons.get('F1')).toEqual(
      new Map([
        ['SHEET', 368],
        ['HINGE', 540],
      ]),
    );
    expect(cons.get('F2')).toEqual(new Map([['SHEET', 24]]));
  });

  it('when a component is a sub-assembly, then only its direct requirements count', () => {
    const production: ProductionLink[] = [
      { lineId: 'L1', factoryId: 'F1', productId: 'CAR', ratePerHour: 1 },
    ];
    const bom: BomLink[] = [
      { parentId: 'CAR', componentId: 'SEAT', quantity: 4 },
      { parentId: 'SEAT', componentId: 'FOAM', quantity: 2 },
    ];
    const cons = dailyConsumption(production, bom, new Map([['L1', { shape, capacity: 1 }]]));
    expect(cons.get('F1')).toEqual(new Map([['SEAT', 64]]));
  });

  it('when a line is stopped, unknown, or its product needs nothing, then nothing is kept for it', () => {
    const production: ProductionLink[] = [
      { lineId: 'L1', factoryId: 'F1', productId: 'P1', ratePerHour: 10 },
      { lineId: 'L-GONE', factoryId: 'F2', productId: 'P1', ratePerHour: 10 },
      { lineId: 'L3', factoryId: 'F3', productId: 'RAW', ratePerHour: 10 },
    ];
    const bom: BomLink[] = [{ parentId: 'P1', componentId: 'C', quantity: 1 }];
    const lines = new Map([
      ['L1', { shape, capacity: 0 }],
      ['L3', { shape, capacity: 1 }],
    ]);
    expect(dailyConsumption(production, bom, lines).size).toBe(0);
  });

  it('when factories and components appear, then they keep the order of production and bom', () => {
    const production: ProductionLink[] = [
      { lineId: 'L1', factoryId: 'F2', productId: 'RAW', ratePerHour: 1 },
      { lineId: 'L2', factoryId: 'F1', productId: 'P', ratePerHour: 1 },
      { lineId: 'L1', factoryId: 'F2', productId: 'P', ratePerHour: 1 },
    ];
    const bom: BomLink[] = [
      { parentId: 'P', componentId: 'Z', quantity: 1 },
      { parentId: 'P', componentId: 'A', quantity: 1 },
    ];
    const lines = new Map([
      ['L1', { shape, capacity: 1 }],
      ['L2', { shape, capacity: 1 }],
    ]);
    const cons = dailyConsumption(production, bom, lines);
    expect([...cons.keys()]).toEqual(['F2', 'F1']);
    expect([...(cons.get('F2')?.keys() ?? [])]).toEqual(['Z', 'A']);
  });
});

// ---- properties on random station graphs ----

interface RandomLine {
  stations: Station[];
  flows: Flow[];
}

const STATUSES = ['RUNNING', 'IDLE', 'DOWN', 'MAINTENANCE', 'UNKNOWN'] as const;

/** A random DAG of 1–8 stations (flows only from a lower to a higher index), integer rates. */
const dagLine: fc.Arbitrary<RandomLine> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc
    .record({
      rates: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n, maxLength: n }),
      statuses: fc.array(fc.constantFrom(...STATUSES), { minLength: n, maxLength: n }),
      edges: fc.array(fc.boolean(), {
        minLength: (n * (n - 1)) / 2,
        maxLength: (n * (n - 1)) / 2,
      }),
    })
    .map(({ rates, statuses, edges }) => {
      const stations = rates.map((rate, i) => station(`S${i}`, rate, statuses[i] ?? 'RUNNING'));
      const flows: Flow[] = [];
      let k = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (edges[k] === true) flows.push({ from: `S${i}`, to: `S${j}` });
          k += 1;
        }
      }
      return { stations, flows };
    }),
);

/** Any small digraph: cycles, self-loops, repeated flows and flows to unknown stations. */
const anyLine: fc.Arbitrary<RandomLine> = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc
    .record({
      rates: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n, maxLength: n }),
      pairs: fc.array(
        fc.tuple(fc.integer({ min: 0, max: n + 1 }), fc.integer({ min: 0, max: n + 1 })),
        { maxLength: 16 },
      ),
    })
    .map(({ rates, pairs }) => ({
      stations: rates.map((rate, i) => station(`S${i}`, rate)),
      flows: pairs.map(([from, to]) => ({ from: `S${from}`, to: `S${to}` })),
    })),
);

/**
 * The smallest total rate of a set of stations whose removal leaves no path from a station
 * without an incoming flow to a station without an outgoing one (2^n sets, n ≤ 8).
 */
function bruteForceMinNodeCut(line: RandomLine, rate: (s: Station) => number): number {
  const { stations } = line;
  const n = stations.length;
  const index = new Map(stations.map((s, i) => [s.id, i]));
  const out: number[][] = stations.map(() => []);
  const hasIn = stations.map(() => false);
  const hasOut = stations.map(() => false);
  for (const f of line.flows) {
    const u = index.get(f.from);
    const v = index.get(f.to);
    if (u === undefined || v === undefined) continue;
    out[u]?.push(v);
    hasOut[u] = true;
    hasIn[v] = true;
  }
  let best = Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    const removed = (i: number) => (mask & (1 << i)) !== 0;
    const seen = stations.map(() => false);
    const stack: number[] = [];
    stations.forEach((_, i) => {
      if (!hasIn[i] && !removed(i)) {
        seen[i] = true;
        stack.push(i);
      }
    });
    let connected = false;
    for (let u = stack.pop(); u !== undefined; u = stack.pop()) {
      if (!hasOut[u]) connected = true;
      for (const v of out[u] ?? []) {
        if (!seen[v] && !removed(v)) {
          seen[v] = true;
          stack.push(v);
        }
      }
    }
    if (connected) continue;
    let cost = 0;
    stations.forEach((s, i) => {
      if (removed(i)) cost += Math.max(0, rate(s));
    });
    best = Math.min(best, cost);
  }
  return best;
}

describe('properties of maxStationFlow and capacityFactor', () => {
  it('when the line is a random DAG (≤ 8 stations), then max flow equals the brute-force min node cut', () => {
    fc.assert(
      fc.property(dagLine, (line) => {
        expect(maxStationFlow(line.stations, line.flows, nominal)).toBe(
          bruteForceMinNodeCut(line, nominal),
        );
        expect(maxStationFlow(line.stations, line.flows, usableRate)).toBe(
          bruteForceMinNodeCut(line, usableRate),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('when the line is any small digraph with stray flows, then max flow still equals the min node cut', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        expect(maxStationFlow(line.stations, line.flows, nominal)).toBe(
          bruteForceMinNodeCut(line, nominal),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('when statuses and down stations are random, then the capacity factor is in [0, 1]', () => {
    fc.assert(
      fc.property(dagLine, fc.array(fc.integer({ min: 0, max: 9 })), (line, downs) => {
        const c = capacityFactor(line.stations, line.flows, new Set(downs.map((i) => `S${i}`)));
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('when one more station goes down, then the capacity factor never rises', () => {
    fc.assert(
      fc.property(
        dagLine,
        fc.array(fc.integer({ min: 0, max: 7 })),
        fc.integer({ min: 0, max: 7 }),
        (line, downs, extra) => {
          const down = new Set(downs.map((i) => `S${i}`));
          const before = capacityFactor(line.stations, line.flows, down);
          const after = capacityFactor(line.stations, line.flows, new Set([...down, `S${extra}`]));
          expect(after).toBeLessThanOrEqual(before);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when every rate is scaled by k, then the max flow is scaled by k', () => {
    fc.assert(
      fc.property(
        dagLine,
        fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }),
        (line, k) => {
          const flow = maxStationFlow(line.stations, line.flows, nominal);
          const scaled = maxStationFlow(line.stations, line.flows, (s) => k * s.ratePerHour);
          expect(Math.abs(scaled - k * flow)).toBeLessThanOrEqual(1e-9 * Math.max(1, k * flow));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when every rate is scaled by k > 0, then the capacity factor does not change', () => {
    fc.assert(
      fc.property(dagLine, fc.integer({ min: 1, max: 1000 }), (line, k) => {
        const scaledLine = line.stations.map((s) => ({ ...s, ratePerHour: k * s.ratePerHour }));
        expect(capacityFactor(scaledLine, line.flows)).toBeCloseTo(
          capacityFactor(line.stations, line.flows),
          12,
        );
      }),
      { numRuns: 200 },
    );
  });
});
