import type { Graph, Row } from '../../graph/executor';
import { SECTION_ROWS } from '../cypher';
import { emptyDocument, SECTIONS, type TwinDocument } from './document';

/*
 * The whole twin graph as a twin-graph document, in a form that `importTwinGraph` accepts
 * unchanged: export then import changes nothing. Optional properties that are not stored are
 * left out rather than written as null, so the document stays readable. The per-section
 * statements are SECTION_ROWS of the twins' Cypher home (src/twins/cypher/import-export.ts).
 */
/** Drops null properties (recursively into arrays of objects, for metrics). */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, compact(v)]),
  );
}

export type ExportedDocument = Record<keyof TwinDocument, unknown[]>;

export async function exportDocument(graph: Graph): Promise<ExportedDocument> {
  return graph.transaction('READ', async (tx) => {
    const out: ExportedDocument = emptyDocument();
    for (const section of SECTIONS) {
      const rows: Row[] = await tx.run(SECTION_ROWS[section]());
      out[section] = rows.map((r) => compact(r['row']));
    }
    return out;
  });
}
