import type { Graph, Row } from '../../graph/executor';
import type { ScopedLabel, VisibleIds } from '../../graph/scope';
import { SECTION_ROWS } from '../cypher';
import { emptyDocument, SECTIONS, type Section, type TwinDocument } from './document';
import { REFERENCES, stringAt } from './relations';

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

/**
 * The label of `n` in each section's statement (SECTION_ROWS): the twin, or a relationship's
 * start; a scoped export keeps `n` to the scope's ids of it.
 */
const START: Record<Section, ScopedLabel> = {
  factories: 'Factory',
  lines: 'Line',
  assets: 'Asset',
  flows: 'Asset',
  products: 'Product',
  bom: 'Product',
  production: 'Line',
  suppliers: 'Supplier',
  supplies: 'Supplier',
  inventory: 'Factory',
  shipments: 'Shipment',
  orders: 'Order',
};

/**
 * The document cut to itself: every row whose reference (REFERENCES, what the validation
 * resolves) names a twin the document does not hold goes, until none does, so a scoped export is
 * a valid document on its own. A line moved to another factory after the scope was read goes,
 * and its assets with it, rather than dangle.
 */
export function keepConnected(doc: ExportedDocument): ExportedDocument {
  const out: ExportedDocument = { ...doc };
  const idsOf = (section: Section) => new Set(out[section].map((row) => stringAt(row, 'id')));
  let changed: boolean;
  do {
    changed = false;
    for (const { section, field, label } of REFERENCES) {
      const held = idsOf(label);
      const kept = out[section].filter((row) => {
        const id = stringAt(row, field);
        return id !== undefined && held.has(id);
      });
      if (kept.length !== out[section].length) {
        out[section] = kept;
        changed = true;
      }
    }
  } while (changed);
  return out;
}

/**
 * The twin graph as a document; with `visible` (a factory scope's, graph/scope.ts), only the
 * twins it sees and the relationships whose both ends it sees (docs/security.md, "Factory
 * scopes: alerts, telemetry and export"). Either way the document imports on its own.
 */
export async function exportDocument(
  graph: Graph,
  visible: VisibleIds | null = null,
): Promise<ExportedDocument> {
  return graph.transaction('READ', async (tx) => {
    const out: ExportedDocument = emptyDocument();
    for (const section of SECTIONS) {
      const rows: Row[] =
        visible === null
          ? await tx.run(SECTION_ROWS[section]())
          : await tx.run(SECTION_ROWS[section]('n.id IN $ids'), {
              ids: [...visible[START[section]]],
            });
      out[section] = rows.map((r) => compact(r['row']));
    }
    // each section's `n` is visible; a relationship's other end, by the twins the document holds
    return visible === null ? out : keepConnected(out);
  });
}
