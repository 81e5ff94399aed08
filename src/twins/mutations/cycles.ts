import type { Tx } from '../../graph/executor';
import { type AcyclicSection, storedCycleCypher } from '../cypher';
import type { Problem, TwinDocument } from '../import/document';
import { cycleMessage } from '../import/relations';

/**
 * Most stored relationships a cycle closed by a mutation's new edge may have for the mutation
 * to find it. The search visits only what lies downstream of the new edge (and upstream of its
 * start), so its cost follows the edge's neighbourhood, never the size of the graph; the bound
 * keeps even a huge connected line or bill of materials from turning one mutation into a walk
 * of all of it. It is far above any real bill of materials (tens of levels) or line (hundreds of
 * stations in series). A cycle longer than this would not be found by a single mutation (the
 * batch import, which checks its whole document against every stored edge, still finds those
 * that run through its own edges).
 */
export const MAX_CYCLE_LENGTH = 1000;

/**
 * The cycle the new edge `from → to` would close through stored edges, if any: a shortest path
 * back from `to` to `from` (breadth-first, so diamonds in the graph cost nothing extra), as the
 * twins around the cycle, `from` first and last. An edge from a twin to itself is the
 * validation's to report.
 */
export async function storedCycle(
  tx: Tx,
  section: AcyclicSection,
  from: string,
  to: string,
  maxLength: number = MAX_CYCLE_LENGTH,
): Promise<string[] | null> {
  if (from === to) return null;
  const rows = await tx.run(storedCycleCypher(section, maxLength), { from, to });
  const ids: unknown = rows[0]?.['ids'];
  return Array.isArray(ids) ? [from, ...ids.map(String)] : null;
}

/**
 * Problems of the new FEEDS or REQUIRES edges of a validated single-row document (a mutation's):
 * each is checked from its own ends, in Cypher, against the stored graph.
 */
export async function newEdgeCycles(tx: Tx, doc: TwinDocument): Promise<Problem[]> {
  const edges = [
    ...doc.flows.map((r, i) => ({ section: 'flows' as const, i, from: r.from, to: r.to })),
    ...doc.bom.map((r, i) => ({ section: 'bom' as const, i, from: r.parentId, to: r.componentId })),
  ];
  const problems: Problem[] = [];
  for (const { section, i, from, to } of edges) {
    const cycle = await storedCycle(tx, section, from, to);
    if (cycle)
      problems.push({ path: `${section}[${i}]`, message: cycleMessage(section, cycle, true) });
  }
  return problems;
}
