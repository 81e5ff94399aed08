import type { Graph, Row } from '../../graph/executor';
import { emptyDocument, SECTIONS, type TwinDocument } from './document';

/*
 * The whole twin graph as a twin-graph document, in a form that `importTwinGraph` accepts
 * unchanged: export then import changes nothing. Optional properties that are not stored are
 * left out rather than written as null, so the document stays readable.
 */
type Where = string;

/** Per section: the rows, optionally narrowed by a condition on `n` (the twin) such as `n.id = $id`. */
export const SECTION_ROWS: Record<keyof TwinDocument, (where?: Where) => string> = {
  factories: (w = 'true') =>
    `MATCH (n:Factory) WHERE ${w} RETURN n {.id, .name, .country, .timezone, .lat, .lon} AS row ORDER BY n.id`,
  lines: (w = 'true') => `MATCH (f:Factory)-[:HAS_LINE]->(n:Line) WHERE ${w}
    RETURN n {.id, factoryId: f.id, .name, .shiftsPerDay, .hoursPerShift} AS row ORDER BY n.id`,
  assets: (w = 'true') => `MATCH (l:Line)-[:HAS_ASSET]->(n:Asset) WHERE ${w}
    CALL (n) {
      OPTIONAL MATCH (n)-[:HAS_METRIC]->(m:Metric)
      WITH m ORDER BY m.name
      RETURN collect(m {.name, .unit, .min, .max}) AS metrics
    }
    RETURN n {.id, lineId: l.id, .name, .kind, .status, .ratePerHour, .mtbfHours, .mttrHours, metrics: metrics} AS row
    ORDER BY n.id`,
  flows: (w = 'true') =>
    `MATCH (n:Asset)-[:FEEDS]->(b:Asset) WHERE ${w} RETURN {from: n.id, to: b.id} AS row ORDER BY n.id, b.id`,
  products: (w = 'true') =>
    `MATCH (n:Product) WHERE ${w} RETURN n {.id, .sku, .name, .unitCost, .unitPrice} AS row ORDER BY n.id`,
  bom: (w = 'true') => `MATCH (n:Product)-[q:REQUIRES]->(c:Product) WHERE ${w}
    RETURN {parentId: n.id, componentId: c.id, quantity: q.quantity} AS row ORDER BY n.id, c.id`,
  production: (w = 'true') => `MATCH (n:Line)-[q:PRODUCES]->(p:Product) WHERE ${w}
    RETURN {lineId: n.id, productId: p.id, ratePerHour: q.ratePerHour} AS row ORDER BY n.id, p.id`,
  suppliers: (w = 'true') =>
    `MATCH (n:Supplier) WHERE ${w} RETURN n {.id, .name, .country} AS row ORDER BY n.id`,
  supplies: (w = 'true') => `MATCH (n:Supplier)-[q:SUPPLIES]->(p:Product) WHERE ${w}
    RETURN {supplierId: n.id, productId: p.id, leadTimeDays: q.leadTimeDays, unitCost: q.unitCost} AS row
    ORDER BY n.id, p.id`,
  inventory: (w = 'true') => `MATCH (n:Factory)-[q:STOCKS]->(p:Product) WHERE ${w}
    RETURN {factoryId: n.id, productId: p.id, quantity: q.quantity, safetyStock: q.safetyStock} AS row
    ORDER BY n.id, p.id`,
  shipments: (
    w = 'true',
  ) => `MATCH (s:Supplier)<-[:FROM]-(n:Shipment)-[:TO]->(f:Factory), (n)-[:CARRIES]->(p:Product)
    WHERE ${w}
    RETURN n {.id, supplierId: s.id, factoryId: f.id, productId: p.id, .quantity, .status, .departedAt, .eta} AS row
    ORDER BY n.id`,
  orders: (w = 'true') => `MATCH (p:Product)<-[:FOR]-(n:Order)-[:AT]->(f:Factory)
    WHERE ${w}
    RETURN n {.id, factoryId: f.id, productId: p.id, .quantity, .customer, .dueDate, .status} AS row
    ORDER BY n.id`,
};

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
