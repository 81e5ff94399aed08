import type { TwinLabel } from '../../graph/loaders';
import type { TwinDocument } from '../import/document';

/*
 * The batch import and export of twin-graph documents (import/service.ts, import/writer.ts,
 * import/export.ts). The single-twin mutations reuse them: they validate and write through the
 * same statements, and read a twin's stored row with `SECTION_ROWS`.
 */

// ---- What the validation must know of the stored graph (import/service.ts) ----

/**
 * Which of `$ids` exist as twins of `label` (returns `id`). The label is one of the closed list
 * `TwinLabel`, chosen by the code (Factory, Line, Product, Supplier), never taken from the input.
 */
export function existingIdsCypher(label: TwinLabel): string {
  return `MATCH (n:${label}) WHERE n.id IN $ids RETURN n.id AS id`;
}

/** The stored assets among `$ids`, with the line of each (returns `id`, `lineId`). */
export const READ_ASSET_LINES = `
  MATCH (l:Line)-[:HAS_ASSET]->(a:Asset) WHERE a.id IN $ids RETURN a.id AS id, l.id AS lineId`;

/** The stored FEEDS edges of the lines `$lineIds` (returns `from`, `to`). */
export const READ_FLOWS_OF_LINES = `
  MATCH (l:Line)-[:HAS_ASSET]->(a:Asset)-[:FEEDS]->(b:Asset) WHERE l.id IN $lineIds
  RETURN a.id AS from, b.id AS to`;

/** The whole stored bill of materials (returns `parentId`, `componentId`). */
export const READ_BOM = `
  MATCH (p:Product)-[:REQUIRES]->(c:Product) RETURN p.id AS parentId, c.id AS componentId`;

/** How many factories are stored (returns `n`): `npm run import -- --if-empty` (cli/import.ts). */
export const COUNT_FACTORIES = 'MATCH (f:Factory) RETURN count(f) AS n';

// ---- Writing a validated document (import/writer.ts) ----

/** The writer's steps: every section of a document, and the assets' metrics apart. */
export type WriteSection = keyof TwinDocument | 'metrics';

/*
 * One statement per section, each an upsert by id (MERGE) so that importing the same document
 * twice changes nothing. A twin's parent link (line → factory, asset → line, shipment → supplier)
 * is replaced when the document moves it. Relationship rows MERGE the relationship and SET its
 * properties. Telemetry state on metrics (value, ts) is left alone.
 *
 * Each takes `$rows` (one batch of the section's rows, all with the same shape) and must RETURN
 * count(*) AS written: fewer than the rows means a referenced twin vanished meanwhile.
 *
 * `assets` also takes `$statusAt` (UTC ISO-8601, or null): when an asset's status is set for the
 * first time or changes, it sets the asset's `statusTs` to it and records the change on the
 * asset's timeline (a StateChange with source `import`, docs/timeline.md). A mutation passes null
 * and records its own change (source `api`, RECORD_API_STATUS_CHANGE in mutations.ts).
 */
export const WRITE_SECTION: Record<WriteSection, string> = {
  factories: `UNWIND $rows AS r
      MERGE (n:Factory {id: r.id})
      SET n.name = r.name, n.country = r.country, n.timezone = r.timezone, n.lat = r.lat, n.lon = r.lon
      RETURN count(*) AS written`,
  lines: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId})
      MERGE (n:Line {id: r.id})
      SET n.name = r.name, n.shiftsPerDay = r.shiftsPerDay, n.hoursPerShift = r.hoursPerShift
      WITH r, f, n
      CALL (n, f) { MATCH (n)<-[old:HAS_LINE]-(o:Factory) WHERE o <> f DELETE old }
      MERGE (f)-[:HAS_LINE]->(n)
      RETURN count(*) AS written`,
  assets: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId})
      MERGE (n:Asset {id: r.id})
      WITH r, l, n, n.status AS was
      SET n.name = r.name, n.kind = r.kind, n.status = r.status, n.ratePerHour = r.ratePerHour,
          n.mtbfHours = r.mtbfHours, n.mttrHours = r.mttrHours
      WITH r, l, n, was
      CALL (n, r, was) {
        WITH n, r, was
        WHERE $statusAt IS NOT NULL AND r.status IS NOT NULL AND (was IS NULL OR was <> r.status)
        SET n.statusTs = $statusAt, n.statusReason = 'imported'
        MERGE (c:StateChange {id: n.id + '@' + $statusAt})
        ON CREATE SET c.assetId = n.id, c.at = $statusAt, c.status = r.status,
                      c.reason = 'imported', c.source = 'import', c.receivedAt = $statusAt
      }
      CALL (n, l) { MATCH (n)<-[old:HAS_ASSET]-(o:Line) WHERE o <> l DELETE old }
      MERGE (l)-[:HAS_ASSET]->(n)
      RETURN count(*) AS written`,
  metrics: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.assetId})
      MERGE (n:Metric {id: r.id})
      SET n.name = r.name, n.unit = r.unit, n.min = r.min, n.max = r.max
      MERGE (a)-[:HAS_METRIC]->(n)
      RETURN count(*) AS written`,
  flows: `UNWIND $rows AS r
      MATCH (a:Asset {id: r.from}), (b:Asset {id: r.to})
      MERGE (a)-[:FEEDS]->(b)
      RETURN count(*) AS written`,
  products: `UNWIND $rows AS r
      MERGE (n:Product {id: r.id})
      SET n.sku = coalesce(r.sku, r.id), n.name = r.name, n.unitCost = r.unitCost, n.unitPrice = r.unitPrice
      RETURN count(*) AS written`,
  bom: `UNWIND $rows AS r
      MATCH (p:Product {id: r.parentId}), (c:Product {id: r.componentId})
      MERGE (p)-[q:REQUIRES]->(c)
      SET q.quantity = r.quantity
      RETURN count(*) AS written`,
  production: `UNWIND $rows AS r
      MATCH (l:Line {id: r.lineId}), (p:Product {id: r.productId})
      MERGE (l)-[q:PRODUCES]->(p)
      SET q.ratePerHour = r.ratePerHour
      RETURN count(*) AS written`,
  suppliers: `UNWIND $rows AS r
      MERGE (n:Supplier {id: r.id})
      SET n.name = r.name, n.country = r.country, n.recoveryDays = r.recoveryDays
      RETURN count(*) AS written`,
  supplies: `UNWIND $rows AS r
      MATCH (s:Supplier {id: r.supplierId}), (p:Product {id: r.productId})
      MERGE (s)-[q:SUPPLIES]->(p)
      SET q.leadTimeDays = r.leadTimeDays, q.unitCost = r.unitCost
      RETURN count(*) AS written`,
  inventory: `UNWIND $rows AS r
      MATCH (f:Factory {id: r.factoryId}), (p:Product {id: r.productId})
      MERGE (f)-[q:STOCKS]->(p)
      SET q.quantity = r.quantity, q.safetyStock = r.safetyStock
      RETURN count(*) AS written`,
  shipments: `UNWIND $rows AS r
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
  orders: `UNWIND $rows AS r
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
};

// ---- Reading sections back as document rows (import/export.ts, mutations/service.ts) ----

/**
 * A condition on `n` (the section's twin, or a relationship's start) written in the code, such
 * as `n.id = $id`; its values are parameters. Never built from user input.
 */
type Where = string;

/*
 * Per section: a statement returning the section's rows as the document has them (one `row` per
 * result, ordered by id), in a form that `importTwinGraph` accepts unchanged. Without a condition
 * it reads the whole section (the export); `SECTION_ROWS.lines('n.id = $id')` reads one twin's row
 * (an update's stored state).
 */
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
    `MATCH (n:Supplier) WHERE ${w} RETURN n {.id, .name, .country, .recoveryDays} AS row ORDER BY n.id`,
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
