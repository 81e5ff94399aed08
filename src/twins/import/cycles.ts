/**
 * Cycle detection for FEEDS flows and the bill of materials: Tarjan's strongly connected
 * components, iterative (a 10^5-station line would overflow the call stack if recursive), over a
 * compact adjacency in typed arrays, then one shortest cycle per component. Linear in nodes plus
 * edges.
 */

export interface CycleEdge {
  from: string;
  to: string;
  /** The document row of this edge; absent for an edge already stored. */
  row?: number | undefined;
}

export interface Cycle {
  /** The twins around the cycle, the first repeated at the end: `['A1', 'A2', 'A1']`. */
  nodes: string[];
  /** The lowest document row on the cycle: where the problem is reported. */
  row: number;
  /** Whether a stored edge closes the cycle (so the document alone has none). */
  throughStored: boolean;
}

/**
 * One cycle for each strongly connected component that contains a document edge, through the
 * component's first document edge. A component can hold many cycles; listing them all could take
 * exponential time, and breaking the one named shows the next on re-validation.
 */
export function findCycles(edges: readonly CycleEdge[]): Cycle[] {
  const graph = compact(edges);
  const component = stronglyConnected(graph);
  const first = new Map<number, number>(); // component → its lowest-row document edge
  for (let e = 0; e < edges.length; e += 1) {
    const row = edges[e]?.row;
    if (row === undefined) continue;
    const c = component[graph.from[e] ?? 0] ?? -1;
    if (c !== component[graph.to[e] ?? 0]) continue;
    const seen = first.get(c);
    if (seen === undefined || row < (edges[seen]?.row ?? Infinity)) first.set(c, e);
  }
  const cycles: Cycle[] = [];
  for (const [c, e] of first) {
    const start = graph.from[e] ?? 0;
    const around = [
      start,
      ...shortestPathInComponent(graph, component, c, graph.to[e] ?? 0, start),
    ];
    cycles.push({
      nodes: around.map((n) => graph.names[n] ?? ''),
      row: edges[e]?.row ?? 0,
      throughStored: pathUsesStored(graph, edges, around),
    });
  }
  return cycles.sort((a, b) => a.row - b.row);
}

interface Compact {
  names: string[];
  from: Int32Array;
  to: Int32Array;
  /** Edges leaving node n are `out[start[n]] .. out[start[n + 1] - 1]`. */
  start: Int32Array;
  out: Int32Array;
}

function compact(edges: readonly CycleEdge[]): Compact {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const node = (name: string): number => {
    let n = ids.get(name);
    if (n === undefined) {
      n = names.length;
      ids.set(name, n);
      names.push(name);
    }
    return n;
  };
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  edges.forEach((edge, e) => {
    from[e] = node(edge.from);
    to[e] = node(edge.to);
  });
  const start = new Int32Array(names.length + 1);
  for (const f of from) start[f + 1] = (start[f + 1] ?? 0) + 1;
  for (let n = 0; n < names.length; n += 1) start[n + 1] = (start[n + 1] ?? 0) + (start[n] ?? 0);
  const fill = start.slice(0, names.length);
  const out = new Int32Array(edges.length);
  from.forEach((f, e) => {
    out[fill[f] ?? 0] = e;
    fill[f] = (fill[f] ?? 0) + 1;
  });
  return { names, from, to, start, out };
}

/** Tarjan's algorithm with an explicit call stack; returns the component of each node. */
function stronglyConnected(g: Compact): Int32Array {
  const n = g.names.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let sp = 0;
  let counter = 0;
  let components = 0;
  const visit = (v: number, depth: number): void => {
    index[v] = counter;
    low[v] = counter;
    counter += 1;
    stack[sp] = v;
    sp += 1;
    onStack[v] = 1;
    callNode[depth] = v;
    callEdge[depth] = g.start[v] ?? 0;
  };
  for (let root = 0; root < n; root += 1) {
    if (index[root] !== -1) continue;
    visit(root, 0);
    let depth = 1;
    while (depth > 0) {
      const v = callNode[depth - 1] ?? 0;
      const k = callEdge[depth - 1] ?? 0;
      if (k < (g.start[v + 1] ?? 0)) {
        callEdge[depth - 1] = k + 1;
        const w = g.to[g.out[k] ?? 0] ?? 0;
        if (index[w] === -1) {
          visit(w, depth);
          depth += 1;
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          sp -= 1;
          w = stack[sp] ?? 0;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components += 1;
      }
      depth -= 1;
      if (depth > 0) {
        const parent = callNode[depth - 1] ?? 0;
        low[parent] = Math.min(low[parent] ?? 0, low[v] ?? 0);
      }
    }
  }
  return component;
}

/** Breadth-first search from `source` to `target` inside one component; the nodes after source. */
function shortestPathInComponent(
  g: Compact,
  component: Int32Array,
  c: number,
  source: number,
  target: number,
): number[] {
  const parent = new Map<number, number>([[source, -1]]);
  const queue = [source];
  for (let head = 0; head < queue.length && !parent.has(target); head += 1) {
    const v = queue[head] ?? 0;
    for (let k = g.start[v] ?? 0; k < (g.start[v + 1] ?? 0); k += 1) {
      const w = g.to[g.out[k] ?? 0] ?? 0;
      if (component[w] !== c || parent.has(w)) continue;
      parent.set(w, v);
      queue.push(w);
    }
  }
  const path: number[] = [];
  for (let v = target; v !== -1; v = parent.get(v) ?? -1) path.push(v);
  return path.reverse();
}

/** Whether some step of the cycle exists only as a stored edge. */
function pathUsesStored(g: Compact, edges: readonly CycleEdge[], nodes: number[]): boolean {
  for (let i = 0; i + 1 < nodes.length; i += 1) {
    const v = nodes[i] ?? 0;
    const w = nodes[i + 1] ?? 0;
    let inDocument = false;
    for (let k = g.start[v] ?? 0; k < (g.start[v + 1] ?? 0) && !inDocument; k += 1) {
      const e = g.out[k] ?? 0;
      inDocument = g.to[e] === w && edges[e]?.row !== undefined;
    }
    if (!inDocument) return true;
  }
  return false;
}
