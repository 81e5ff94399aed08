/*
 * Maximum flow (Edmonds-Karp) on a small directed network, for the capacity factor of a line
 * (docs/analysis.md, shared quantities). Hand-written on purpose: the npm packages that offer
 * max flow are unmaintained (js-graph-algorithms 1.0.18 has not changed in years, the others are
 * older or untyped), the algorithm is about sixty lines, and a line has a few dozen stations at
 * most, so a dependency would cost more (audit, types, casts at the boundary) than it saves.
 * Edmonds-Karp augments along shortest paths found by breadth-first search, which bounds the
 * number of augmentations by O(V·E) whatever the capacities, so it also terminates on real
 * (non-integer) rates. The network lives in typed arrays: edges are added in pairs, edge `e` and
 * its reverse `e ^ 1`, each node keeps a linked list of its edges (`head`, `next`).
 */

/** A directed network with a fixed number of nodes and room for a fixed number of edges. */
export class FlowNetwork {
  readonly nodeCount: number;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly to: Int32Array;
  private readonly capacity: Float64Array;
  private readonly residual: Float64Array;
  private edgeCount = 0;

  /** `maxEdges` counts the edges added with `addEdge`, not their reverses. */
  constructor(nodeCount: number, maxEdges: number) {
    if (!Number.isInteger(nodeCount) || nodeCount < 0) {
      throw new RangeError(`nodeCount must be a non-negative integer, got ${nodeCount}`);
    }
    if (!Number.isInteger(maxEdges) || maxEdges < 0) {
      throw new RangeError(`maxEdges must be a non-negative integer, got ${maxEdges}`);
    }
    this.nodeCount = nodeCount;
    this.head = new Int32Array(nodeCount).fill(-1);
    this.next = new Int32Array(2 * maxEdges);
    this.to = new Int32Array(2 * maxEdges);
    this.capacity = new Float64Array(2 * maxEdges);
    this.residual = new Float64Array(2 * maxEdges);
  }

  /**
   * An edge `from → to` that carries up to `capacity` (`Infinity` allowed); a negative or NaN
   * capacity counts as 0. Parallel edges add up.
   */
  addEdge(from: number, to: number, capacity: number): void {
    this.checkNode(from);
    this.checkNode(to);
    const e = 2 * this.edgeCount;
    if (e + 1 >= this.to.length) throw new RangeError('FlowNetwork: more edges than maxEdges');
    this.edgeCount += 1;
    this.link(e, from, to, capacity > 0 ? capacity : 0);
    this.link(e + 1, to, from, 0);
  }

  /**
   * The value of a maximum flow from `source` to `sink`: `Infinity` when a path of unbounded
   * edges joins them. Each call starts from the edges' capacities, so it can be called again.
   */
  maxFlow(source: number, sink: number): number {
    this.checkNode(source);
    this.checkNode(sink);
    if (source === sink) return 0;
    this.residual.set(this.capacity);
    const n = this.nodeCount;
    // parentEdge[v]: the edge the search reached v by; -1 unseen, -2 the source
    const parentEdge = new Int32Array(n);
    const queue = new Int32Array(n);
    let total = 0;
    for (;;) {
      parentEdge.fill(-1);
      parentEdge[source] = -2;
      queue[0] = source;
      let read = 0;
      let write = 1;
      while (read < write && at(parentEdge, sink) === -1) {
        const u = at(queue, read);
        read += 1;
        for (let e = at(this.head, u); e !== -1; e = at(this.next, e)) {
          const v = at(this.to, e);
          if (at(parentEdge, v) === -1 && at(this.residual, e) > 0) {
            parentEdge[v] = e;
            queue[write] = v;
            write += 1;
          }
        }
      }
      if (at(parentEdge, sink) === -1) return total;

      let push = Infinity;
      for (let v = sink; v !== source;) {
        const e = at(parentEdge, v);
        push = Math.min(push, at(this.residual, e));
        v = at(this.to, e ^ 1);
      }
      if (push === Infinity) return Infinity;
      for (let v = sink; v !== source;) {
        const e = at(parentEdge, v);
        this.residual[e] = at(this.residual, e) - push;
        this.residual[e ^ 1] = at(this.residual, e ^ 1) + push;
        v = at(this.to, e ^ 1);
      }
      total += push;
    }
  }

  private link(e: number, from: number, to: number, capacity: number): void {
    this.to[e] = to;
    this.capacity[e] = capacity;
    this.next[e] = at(this.head, from);
    this.head[from] = e;
  }

  private checkNode(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.nodeCount) {
      throw new RangeError(`FlowNetwork: no node ${node} (nodeCount ${this.nodeCount})`);
    }
  }
}

/** `array[index]`, which must exist: an index out of range is a bug here, not a missing value. */
function at(array: Int32Array | Float64Array, index: number): number {
  const value = array[index];
  if (value === undefined) throw new RangeError(`FlowNetwork: index ${index} out of range`);
  return value;
}
