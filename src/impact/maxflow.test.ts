import fc from 'fast-check';
import { FlowNetwork } from './maxflow';

type Edge = readonly [from: number, to: number, capacity: number];

function maxFlow(nodeCount: number, edges: readonly Edge[], source: number, sink: number): number {
  const network = new FlowNetwork(nodeCount, edges.length);
  for (const [from, to, capacity] of edges) network.addEdge(from, to, capacity);
  return network.maxFlow(source, sink);
}

/** The smallest capacity of edges leaving a node set that holds the source and not the sink. */
function bruteForceMinCut(
  nodeCount: number,
  edges: readonly Edge[],
  source: number,
  sink: number,
): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << nodeCount; mask++) {
    const inside = (v: number) => (mask & (1 << v)) !== 0;
    if (!inside(source) || inside(sink)) continue;
    let cut = 0;
    for (const [from, to, capacity] of edges) {
      if (inside(from) && !inside(to)) cut += Math.max(0, capacity);
    }
    best = Math.min(best, cut);
  }
  return best;
}

describe('FlowNetwork.maxFlow (Edmonds-Karp)', () => {
  it('when the network is the textbook one (CLRS fig. 26.1), then the max flow is 23', () => {
    const edges: Edge[] = [
      [0, 1, 16],
      [0, 2, 13],
      [2, 1, 4],
      [1, 3, 12],
      [3, 2, 9],
      [2, 4, 14],
      [4, 3, 7],
      [3, 5, 20],
      [4, 5, 4],
    ];
    expect(maxFlow(6, edges, 0, 5)).toBe(23);
  });

  it('when the shortest path blocks the best flow, then it is undone along a reverse edge', () => {
    // s=0 a=1 b=2 t=3: s→a→b→t is the only shortest path and is augmented first; the second
    // unit goes s→4→5→b, back b→a, then a→6→7→t
    const edges: Edge[] = [
      [0, 1, 1],
      [1, 2, 1],
      [2, 3, 1],
      [0, 4, 1],
      [4, 5, 1],
      [5, 2, 1],
      [1, 6, 1],
      [6, 7, 1],
      [7, 3, 1],
    ];
    expect(maxFlow(8, edges, 0, 3)).toBe(2);
  });

  it('when edges are parallel, then their capacities add up', () => {
    expect(
      maxFlow(
        2,
        [
          [0, 1, 2],
          [0, 1, 3.5],
        ],
        0,
        1,
      ),
    ).toBe(5.5);
  });

  it('when the sink cannot be reached, or is the source, then the flow is 0', () => {
    expect(maxFlow(3, [[0, 1, 5]], 0, 2)).toBe(0);
    expect(maxFlow(3, [[0, 1, 5]], 0, 0)).toBe(0);
    expect(maxFlow(2, [[1, 0, 5]], 0, 1)).toBe(0);
  });

  it('when a capacity is negative or NaN, then it counts as 0', () => {
    expect(
      maxFlow(
        3,
        [
          [0, 1, -4],
          [0, 2, NaN],
          [0, 1, 1],
        ],
        0,
        1,
      ),
    ).toBe(1);
  });

  it('when every edge of a path is unbounded, then the flow is Infinity; a bounded edge bounds it', () => {
    expect(
      maxFlow(
        3,
        [
          [0, 1, Infinity],
          [1, 2, Infinity],
        ],
        0,
        2,
      ),
    ).toBe(Infinity);
    expect(
      maxFlow(
        3,
        [
          [0, 1, Infinity],
          [1, 2, 7],
        ],
        0,
        2,
      ),
    ).toBe(7);
  });

  it('when maxFlow is called twice, then both calls start from the capacities', () => {
    const network = new FlowNetwork(3, 2);
    network.addEdge(0, 1, 4);
    network.addEdge(1, 2, 3);
    expect(network.maxFlow(0, 2)).toBe(3);
    expect(network.maxFlow(0, 2)).toBe(3);
    expect(network.maxFlow(0, 1)).toBe(4);
  });

  it('when a node or an edge is out of range, then it throws a RangeError', () => {
    const network = new FlowNetwork(2, 1);
    expect(() => network.addEdge(0, 2, 1)).toThrow(RangeError);
    expect(() => network.addEdge(-1, 1, 1)).toThrow(RangeError);
    network.addEdge(0, 1, 1);
    expect(() => network.addEdge(0, 1, 1)).toThrow(RangeError);
    expect(() => network.maxFlow(0, 5)).toThrow(RangeError);
    expect(() => new FlowNetwork(-1, 0)).toThrow(RangeError);
    expect(() => new FlowNetwork(2, 0.5)).toThrow(RangeError);
  });

  it('when the network is random (≤ 7 nodes), then the max flow equals the brute-force min cut', () => {
    const network = fc.integer({ min: 2, max: 7 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: n - 1 }),
            fc.integer({ min: 0, max: n - 1 }),
            fc.integer({ min: 0, max: 20 }),
          ),
          { maxLength: 20 },
        ),
        source: fc.integer({ min: 0, max: n - 1 }),
        sink: fc.integer({ min: 0, max: n - 1 }),
      }),
    );
    fc.assert(
      fc.property(network, ({ n, edges, source, sink }) => {
        fc.pre(source !== sink);
        expect(maxFlow(n, edges, source, sink)).toBe(bruteForceMinCut(n, edges, source, sink));
      }),
      { numRuns: 300 },
    );
  });
});
