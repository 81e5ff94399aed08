import { badInput } from '../../errors';
import type { Graph, Tx } from '../../graph/executor';
import type { TwinLabel } from '../../graph/loaders';
import { existingIdsCypher, READ_ASSET_LINES, READ_BOM, READ_FLOWS_OF_LINES } from '../cypher';
import { countTwins, type KnownIds, type TwinCounts, type TwinDocument } from './document';
import { type ExternalReferences, externalReferences, validateDocument } from './validate';
import { type WriteProgress, writeDocument } from './writer';

export interface ImportSummary {
  counts: TwinCounts;
  twins: number;
  durationMs: number;
}

const ids = (rows: Record<string, unknown>[], key = 'id') => rows.map((r) => String(r[key]));

/**
 * The stored twins a document names without declaring them, and the line of each such asset (for
 * the "flows stay within one line" rule). Looks up only those ids, so its cost follows the
 * document, never the size of the graph: what a single-twin mutation needs.
 */
export async function referencedIds(tx: Tx, input: unknown): Promise<KnownIds> {
  return lookUp(tx, externalReferences(input));
}

async function lookUp(tx: Tx, refs: ExternalReferences): Promise<KnownIds> {
  const existing = async (label: TwinLabel, wanted: string[]): Promise<Set<string>> =>
    wanted.length === 0
      ? new Set()
      : new Set(ids(await tx.run(existingIdsCypher(label), { ids: wanted })));
  const assets =
    refs.assets.length === 0 ? [] : await tx.run(READ_ASSET_LINES, { ids: refs.assets });
  return {
    factories: await existing('Factory', refs.factories),
    lines: await existing('Line', refs.lines),
    assets: new Map(assets.map((r) => [String(r['id']), { lineId: String(r['lineId']) }])),
    products: await existing('Product', refs.products),
    suppliers: await existing('Supplier', refs.suppliers),
  };
}

/**
 * What a batch import's validation must know about the stored graph, inside its transaction: the
 * twins it names, and the stored FEEDS and REQUIRES edges that can close a cycle with its own. A
 * batch reads the whole bill of materials once; a single mutation instead searches from its one
 * new edge (mutations/cycles.ts).
 */
export async function knownIds(tx: Tx, input: unknown): Promise<KnownIds> {
  const refs = externalReferences(input);
  const known = await lookUp(tx, refs);
  // Stored flows that can close a cycle with the document's: those of every stored line it touches.
  const lineIds = [
    ...new Set([...refs.lines, ...[...(known.assets?.values() ?? [])].map((a) => a.lineId)]),
  ];
  const flows = await tx.run(READ_FLOWS_OF_LINES, { lineIds });
  const bom = await tx.run(READ_BOM);
  return {
    ...known,
    existingFlows: flows.map((r) => ({ from: String(r['from']), to: String(r['to']) })),
    existingBom: bom.map((r) => ({
      parentId: String(r['parentId']),
      componentId: String(r['componentId']),
    })),
  };
}

/**
 * Imports a twin-graph document atomically: validation against the stored graph and every write
 * happen in one transaction, so a rejected or failed import leaves the graph as it was.
 */
export async function importDocument(
  graph: Graph,
  input: unknown,
  onProgress?: (p: WriteProgress) => void,
): Promise<ImportSummary> {
  const started = Date.now();
  const doc = await graph.transaction('WRITE', async (tx) => {
    const result = validateDocument(input, await knownIds(tx, input));
    if (!result.ok) {
      const first = result.problems[0];
      throw badInput(
        `The document was rejected with ${result.problems.length} problem(s), nothing was written. ` +
          `First: ${first ? `${first.path}: ${first.message}` : 'unknown'}. See extensions.problems for all.`,
        result.problems,
      );
    }
    await writeDocument(tx, result.doc, onProgress);
    return result.doc;
  });
  const counts = countTwins(doc);
  return { counts, twins: twinCount(doc), durationMs: Date.now() - started };
}

/** Nodes in a document: the twins, not the relationships between them. */
export function twinCount(doc: TwinDocument): number {
  const c = countTwins(doc);
  return (
    c.factories + c.lines + c.assets + c.metrics + c.products + c.suppliers + c.shipments + c.orders
  );
}
