/**
 * Every Cypher statement of the simulation's snapshot (snapshot.load.ts). The snapshot is one
 * statement, so that it is one round trip and one consistent read of the graph: a run must not
 * see a shipment whose factory was deleted between two reads.
 *
 * Why rows of parts and tuples, not one row of maps: on the 50-factory network (26k stations, 40k
 * flows) one row holding the whole snapshot as maps is a 5 MB Bolt record, and neo4j-driver
 * decodes a record that large several times slower than the same data in many records (it reads
 * it through a buffer combined from every 64 kB chunk). So the statement returns one row per line
 * and one row per other part of the snapshot, and a line's stations and flows, the bulk of it,
 * come as lists of values in the order of STATION_FIELDS and FLOW_FIELDS, not as maps that
 * repeat every key (half the bytes).
 */

/** The properties of a station, in the order of a station tuple. */
export const STATION_FIELDS = ['id', 'status', 'ratePerHour', 'mtbfHours', 'mttrHours'] as const;

/** The ends of a flow, in the order of a flow tuple. */
export const FLOW_FIELDS = ['from', 'to'] as const;

/** The parts of the snapshot, one row each except `line` (one row per line). */
export type SnapshotPart =
  | 'factories'
  | 'line'
  | 'stock'
  | 'shipments'
  | 'orders'
  | 'products'
  | 'bom'
  | 'suppliers'
  | 'supplies';

/**
 * A stored time as epoch milliseconds when it is a Neo4j temporal (domain.md §1 allows DATETIME),
 * else the stored value itself (an ISO string, parsed by the loader, which rejects what the
 * import would have rejected). A DATE counts as UTC midnight, as a date alone does in the import.
 * A LOCAL DATETIME has no zone, and a twin's time never depends on the server's zone, so it is
 * passed on as it is and the loader reads it as unparseable.
 */
function epochMillis(value: string): string {
  return `CASE
      WHEN ${value} IS :: ZONED DATETIME THEN ${value}.epochMillis
      WHEN ${value} IS :: DATE THEN datetime({date: ${value}, timezone: 'UTC'}).epochMillis
      ELSE ${value}
    END`;
}

/**
 * The FEEDS links between two stations of line `l`, as a walk along FEEDS with a check that the
 * target is on the line: as one closed pattern Neo4j 5.26 may plan the cross product of the
 * line's stations (see LINE_FLOWS in impact.cypher.ts, which measured it).
 */
const LINE_FLOWS = `MATCH (l)-[:HAS_ASSET]->(x:Asset)-[:FEEDS]->(y:Asset) WHERE EXISTS { (l)-[:HAS_ASSET]->(y) }`;

const tuple = (variable: string, fields: readonly string[]): string =>
  `[${fields.map((f) => `${variable}.${f}`).join(', ')}]`;

/**
 * The snapshot of domain.md §5 (model.ts `Snapshot`), as rows (`part`, `value`). `$factoryIds`
 * null: every factory; else only those (an unknown id matches nothing: the scenario's validation
 * reports it, not the load).
 *
 * The factories are matched once and handed to the scoped parts as a list of nodes, so that each
 * part walks out from them (lines, stock, shipments, orders of 2 factories read what hangs off 2
 * factories, not the network). Products, BOM links, suppliers and supplies are read whole. Each
 * collected list is in id order (ORDER BY before collect), so a seeded simulation sees the same
 * snapshot from one load to the next; rows of lines come in any order (the loader sorts them).
 *
 * A shipment's supplier and product, and an order's product, are read with a pattern
 * comprehension taking the first (there is one, as the import writes them): an OPTIONAL MATCH
 * would repeat the shipment for a second link, a MATCH would drop a shipment without one.
 */
export const SNAPSHOT = `
  CALL () {
    MATCH (f:Factory)
    WHERE $factoryIds IS NULL OR f.id IN $factoryIds
    WITH f ORDER BY f.id
    RETURN collect(f) AS factories
  }
  CALL (factories) {
    RETURN 'factories' AS part, [f IN factories | f.id] AS value
  UNION ALL
    UNWIND factories AS f
    MATCH (f)-[:HAS_LINE]->(l:Line)
    CALL (l) {
      OPTIONAL MATCH (l)-[:HAS_ASSET]->(st:Asset)
      WITH st ORDER BY st.id
      RETURN collect(${tuple('st', STATION_FIELDS)}) AS stations
    }
    CALL (l) {
      ${LINE_FLOWS}
      WITH x, y ORDER BY x.id, y.id
      RETURN collect([x.id, y.id]) AS flows
    }
    CALL (l) {
      MATCH (l)-[pr:PRODUCES]->(p:Product)
      WITH p, pr ORDER BY p.id
      RETURN collect({productId: p.id, ratePerHour: pr.ratePerHour}) AS produces
    }
    RETURN 'line' AS part,
           l {.id, .shiftsPerDay, .hoursPerShift, factoryId: f.id, stations: stations, flows: flows,
              produces: produces} AS value
  UNION ALL
    UNWIND factories AS f
    MATCH (f)-[s:STOCKS]->(p:Product)
    WITH f, s, p ORDER BY f.id, p.id
    RETURN 'stock' AS part,
           collect({factoryId: f.id, productId: p.id, quantity: s.quantity,
                    safetyStock: s.safetyStock}) AS value
  UNION ALL
    UNWIND factories AS f
    MATCH (f)<-[:TO]-(sh:Shipment)
    WITH f, sh ORDER BY sh.id
    RETURN 'shipments' AS part,
           collect({id: sh.id, factoryId: f.id,
                    supplierId: head([(sh)-[:FROM]->(s:Supplier) | s.id]),
                    productId: head([(sh)-[:CARRIES]->(p:Product) | p.id]),
                    quantity: sh.quantity, status: sh.status,
                    departedAt: ${epochMillis('sh.departedAt')},
                    eta: ${epochMillis('sh.eta')}}) AS value
  UNION ALL
    UNWIND factories AS f
    MATCH (f)<-[:AT]-(o:Order {status: 'OPEN'})
    WITH f, o ORDER BY o.id
    RETURN 'orders' AS part,
           collect({id: o.id, factoryId: f.id,
                    productId: head([(o)-[:FOR]->(p:Product) | p.id]),
                    quantity: o.quantity, dueDate: ${epochMillis('o.dueDate')}}) AS value
  UNION ALL
    MATCH (p:Product)
    WITH p ORDER BY p.id
    RETURN 'products' AS part, collect(p {.id, .unitPrice, .unitCost}) AS value
  UNION ALL
    MATCH (p:Product)-[r:REQUIRES]->(c:Product)
    WITH p, r, c ORDER BY p.id, c.id
    RETURN 'bom' AS part,
           collect({parentId: p.id, componentId: c.id, quantity: r.quantity}) AS value
  UNION ALL
    MATCH (s:Supplier)
    WITH s ORDER BY s.id
    RETURN 'suppliers' AS part, collect(s {.id, .recoveryDays}) AS value
  UNION ALL
    MATCH (s:Supplier)-[q:SUPPLIES]->(p:Product)
    WITH s, q, p ORDER BY s.id, p.id
    RETURN 'supplies' AS part,
           collect({supplierId: s.id, productId: p.id, leadTimeDays: q.leadTimeDays,
                    unitCost: q.unitCost}) AS value
  }
  RETURN part, value`;
