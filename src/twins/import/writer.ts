import { TwinError } from '../../errors';
import type { Tx } from '../../graph/executor';
import type { TwinDocument } from './document';

/** Rows per UNWIND statement: large enough to amortise round trips, small enough for the heap. */
export const BATCH_SIZE = 5000;

interface Step {
  /** Section name used in messages. */
  name: string;
  rows: (doc: TwinDocument) => readonly object[];
  /** Must RETURN count(*) AS written; fewer than the rows means a reference vanished meanwhile. */
  cypher: string;
}

/*
 * One statement per section, each an upsert by id (MERGE) so that importing the same document
 * twice changes nothing. A twin's parent link (line → factory, asset → line, shipment → supplier)
 * is replaced when the document moves it. Relationship rows MERGE the relationship and SET its
 * properties. Telemetry state on metrics (value, ts) is left alone.
 */
const STEPS: Step[] = [
  {
    name: 'factories',
    rows: (d) => d.factories,
    cypher: `UNWIND $rows AS r
      MERGE (n:Factory {id: r.id})
      SET n.name = r.name, n.country = r.country, n.timezone = r.timezone, n.lat = r.lat, n.lon = r.lon
      RETURN count(*) AS written`,
  },
  {
    name: 'lines',
    rows: (d) => d.lines,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId})
      MERGE (n:Line {id: r.id})
      SET n.name = r.name, n.shiftsPerDay = r.shiftsPerDay, n.hoursPerShift = r.hoursPerShift
      WITH r, f, n
      CALL (n, f) { MATCH (n)<-[old:HAS_LINE]-(o:Factory) WHERE o <> f DELETE old }
      MERGE (f)-[:HAS_LINE]->(n)
      RETURN count(*) AS written`,
  },
  {
    name: 'assets',
    rows: (d) => d.assets.map(({ metrics: _metrics, ...asset }) => asset),
    cypher: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId})
      MERGE (n:Asset {id: r.id})
      SET n.name = r.name, n.kind = r.kind, n.status = r.status, n.ratePerHour = r.ratePerHour,
          n.mtbfHours = r.mtbfHours, n.mttrHours = r.mttrHours
      WITH r, l, n
      CALL (n, l) { MATCH (n)<-[old:HAS_ASSET]-(o:Line) WHERE o <> l DELETE old }
      MERGE (l)-[:HAS_ASSET]->(n)
      RETURN count(*) AS written`,
  },
  {
    name: 'metrics',
    rows: (d) => d.assets.flatMap((a) => a.metrics),
    cypher: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.assetId})
      MERGE (n:Metric {id: r.id})
      SET n.name = r.name, n.unit = r.unit, n.min = r.min, n.max = r.max
      MERGE (a)-[:HAS_METRIC]->(n)
      RETURN count(*) AS written`,
  },
  {
    name: 'flows',
    rows: (d) => d.flows,
    cypher: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.from}), (b:Asset {id: r.to})
      MERGE (a)-[:FEEDS]->(b)
      RETURN count(*) AS written`,
  },
  {
    name: 'products',
    rows: (d) => d.products,
    cypher: `UNWIND $rows AS r
      MERGE (n:Product {id: r.id})
      SET n.sku = coalesce(r.sku, r.id), n.name = r.name, n.unitCost = r.unitCost, n.unitPrice = r.unitPrice
      RETURN count(*) AS written`,
  },
  {
    name: 'bom',
    rows: (d) => d.bom,
    cypher: `UNWIND $rows AS r
      MATCH (p:Product {id: r.parentId}), (c:Product {id: r.componentId})
      MERGE (p)-[q:REQUIRES]->(c)
      SET q.quantity = r.quantity
      RETURN count(*) AS written`,
  },
  {
    name: 'production',
    rows: (d) => d.production,
    cypher: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId}), (p:Product {id: r.productId})
      MERGE (l)-[q:PRODUCES]->(p)
      SET q.ratePerHour = r.ratePerHour
      RETURN count(*) AS written`,
  },
  {
    name: 'suppliers',
    rows: (d) => d.suppliers,
    cypher: `UNWIND $rows AS r
      MERGE (n:Supplier {id: r.id})
      SET n.name = r.name, n.country = r.country
      RETURN count(*) AS written`,
  },
  {
    name: 'supplies',
    rows: (d) => d.supplies,
    cypher: `UNWIND $rows AS r
      MATCH (s:Supplier {id: r.supplierId}), (p:Product {id: r.productId})
      MERGE (s)-[q:SUPPLIES]->(p)
      SET q.leadTimeDays = r.leadTimeDays, q.unitCost = r.unitCost
      RETURN count(*) AS written`,
  },
  {
    name: 'inventory',
    rows: (d) => d.inventory,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      MERGE (f)-[q:STOCKS]->(p)
      SET q.quantity = r.quantity, q.safetyStock = r.safetyStock
      RETURN count(*) AS written`,
  },
  {
    name: 'shipments',
    rows: (d) => d.shipments,
    cypher: `UNWIND $rows AS r
      MATCH (s:Supplier {id: r.supplierId}), (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      MERGE (n:Shipment {id: r.id})
      SET n.status = r.status, n.quantity = r.quantity, n.departedAt = r.departedAt, n.eta = r.eta
      WITH r, s, f, p, n
      CALL (n, s, f, p) {
        OPTIONAL MATCH (n)-[old:FROM|TO|CARRIES]->(x)
        WHERE NOT x IN [s, f, p]
        DELETE old
      }
      MERGE (n)-[:FROM]->(s)
      MERGE (n)-[:TO]->(f)
      MERGE (n)-[:CARRIES]->(p)
      RETURN count(*) AS written`,
  },
  {
    name: 'orders',
    rows: (d) => d.orders,
    cypher: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      MERGE (n:Order {id: r.id})
      SET n.customer = r.customer, n.quantity = r.quantity, n.dueDate = r.dueDate, n.status = r.status
      WITH r, f, p, n
      CALL (n, f, p) {
        OPTIONAL MATCH (n)-[old:FOR|AT]->(x)
        WHERE NOT x IN [f, p]
        DELETE old
      }
      MERGE (n)-[:AT]->(f)
      MERGE (n)-[:FOR]->(p)
      RETURN count(*) AS written`,
  },
];

export interface WriteProgress {
  section: string;
  written: number;
  total: number;
}

/**
 * Writes a validated document inside the caller's transaction, section by section in batches.
 * Throws (so the transaction rolls back) when a referenced twin disappeared after validation.
 */
export async function writeDocument(
  tx: Tx,
  doc: TwinDocument,
  onProgress?: (p: WriteProgress) => void,
): Promise<void> {
  for (const step of STEPS) {
    const rows = step.rows(doc);
    for (let i = 0; i < rows.length; i += BATCH_SIZE) {
      const batch = rows.slice(i, i + BATCH_SIZE);
      const result = await tx.run(step.cypher, { rows: batch });
      const written = Number(result[0]?.['written'] ?? 0);
      if (written !== batch.length) {
        throw new TwinError(
          'CONFLICT',
          `${step.name}: ${batch.length - written} of ${batch.length} rows reference twins that were deleted while importing; nothing was written, import again`,
        );
      }
      onProgress?.({ section: step.name, written: i + batch.length, total: rows.length });
    }
  }
}
