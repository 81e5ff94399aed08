/**
 * Every Cypher statement of the impact analysis. Each one starts from the disrupted twin or from
 * the ids an earlier statement found, and walks only what hangs off them, so the work grows with
 * the affected subgraph, not with the plant network. Variable-length walks are bounded by
 * MAX_BOM_DEPTH.
 */

/** The deepest bill of materials walked (levels); a deeper one is cut there. */
export const MAX_BOM_DEPTH = 25;

/**
 * The FEEDS links between two stations of line `l`. Written as a walk along FEEDS with a check
 * that the target is on the line: as one closed pattern, (l)-->(x)-[:FEEDS]->(y)<--(l), Neo4j 5.26
 * may plan the cross product of the line's stations and probe FEEDS between every pair (1.66M db
 * hits instead of 72k for CONSUMPTION_INPUTS of an 8-component outage on the 50-factory graph).
 */
const LINE_FLOWS = `MATCH (l)-[:HAS_ASSET]->(x:Asset)-[:FEEDS]->(y:Asset) WHERE EXISTS { (l)-[:HAS_ASSET]->(y) }`;

/** Binds `stations` (id, status, rate, by id) and `flows` (from, to) of line `l`. */
const LINE_SHAPE = `
  CALL (l) {
    OPTIONAL MATCH (l)-[:HAS_ASSET]->(st:Asset)
    WITH st ORDER BY st.id
    RETURN collect(st {.id, .status, .ratePerHour}) AS stations
  }
  CALL (l) {
    ${LINE_FLOWS}
    RETURN collect({from: x.id, to: y.id}) AS flows
  }`;

/** The supplier, the products it supplies with their other suppliers, and its PLANNED shipments. */
export const SUPPLIER_OUTAGE_START = `
  MATCH (s:Supplier {id: $id})
  CALL (s) {
    OPTIONAL MATCH (s)-[:SUPPLIES]->(c:Product)
    OPTIONAL MATCH (c)<-[:SUPPLIES]-(alt:Supplier) WHERE alt <> s
    WITH c, alt ORDER BY alt.id
    WITH c, collect(alt {.*}) AS alternatives
    WHERE c IS NOT NULL
    RETURN collect({product: c {.*}, alternatives: alternatives}) AS components
  }
  CALL (s) {
    OPTIONAL MATCH (sh:Shipment {status: 'PLANNED'})-[:FROM]->(s)
    WITH sh ORDER BY sh.id
    RETURN collect(sh {.*}) AS planned
  }
  RETURN s {.*} AS supplier, components, planned`;

/** The shipment with what it carries, where to, and from whom. */
export const SHIPMENT_DELAY_START = `
  MATCH (sh:Shipment {id: $id})
  OPTIONAL MATCH (sh)-[:CARRIES]->(c:Product)
  OPTIONAL MATCH (sh)-[:TO]->(f:Factory)
  OPTIONAL MATCH (sh)-[:FROM]->(s:Supplier)
  CALL (c, s) {
    OPTIONAL MATCH (c)<-[:SUPPLIES]-(alt:Supplier) WHERE alt <> s
    WITH alt ORDER BY alt.id
    RETURN collect(alt {.*}) AS alternatives
  }
  RETURN sh {.*} AS shipment, c {.*} AS component, f {.*} AS factory, s.id AS supplierId,
         alternatives`;

/** The asset, its line and factory, the line's stations and flows, and what the line produces. */
export const ASSET_DOWNTIME_START = `
  MATCH (a:Asset {id: $id})
  OPTIONAL MATCH (f:Factory)-[:HAS_LINE]->(l:Line)-[:HAS_ASSET]->(a)
  ${LINE_SHAPE}
  CALL (l) {
    OPTIONAL MATCH (l)-[pr:PRODUCES]->(p:Product)
    WITH p, pr ORDER BY p.id
    WHERE p IS NOT NULL
    RETURN collect({product: p {.*}, ratePerHour: pr.ratePerHour}) AS produces
  }
  RETURN a {.*} AS asset, l {.*} AS line, f.id AS factoryId, stations, flows, produces`;

/**
 * What consuming `$componentIds` means at each factory (restricted to `$factoryIds` unless null):
 * the lines that make a product directly requiring one of them, with the line's shape, stations
 * and flows (for its capacity factor), the production rate and the BOM quantity; the stock on hand;
 * and the shipments of the components to the factory that are IN_TRANSIT or DELAYED.
 */
export const CONSUMPTION_INPUTS = `
  CALL () {
    MATCH (c:Product)<-[r:REQUIRES]-(p:Product)<-[pr:PRODUCES]-(l:Line)<-[:HAS_LINE]-(f:Factory)
    WHERE c.id IN $componentIds AND ($factoryIds IS NULL OR f.id IN $factoryIds)
    RETURN collect({factoryId: f.id, lineId: l.id, productId: p.id, componentId: c.id,
                    ratePerHour: pr.ratePerHour, quantity: r.quantity}) AS uses,
           collect(DISTINCT l) AS lines
  }
  CALL (lines) {
    // $withShapes false: the caller has the lines' stations already (an outage's closure)
    UNWIND CASE WHEN $withShapes THEN lines ELSE [] END AS l
  ${LINE_SHAPE}
    RETURN collect({line: l {.*}, stations: stations, flows: flows}) AS shapes
  }
  CALL () {
    MATCH (f:Factory)-[s:STOCKS]->(c:Product)
    WHERE c.id IN $componentIds AND ($factoryIds IS NULL OR f.id IN $factoryIds)
    RETURN collect({factoryId: f.id, componentId: c.id, quantity: s.quantity,
                    safetyStock: s.safetyStock}) AS stock
  }
  CALL () {
    MATCH (c:Product)<-[:CARRIES]-(sh:Shipment)-[:TO]->(f:Factory)
    WHERE c.id IN $componentIds AND ($factoryIds IS NULL OR f.id IN $factoryIds)
      AND sh.status IN ['IN_TRANSIT', 'DELAYED']
    RETURN collect({id: sh.id, factoryId: f.id, componentId: c.id, quantity: sh.quantity,
                    eta: sh.eta, status: sh.status}) AS inbound
  }
  RETURN uses, shapes, stock, inbound`;

/**
 * The upward closure of `$componentIds` in the bill of materials (the components included), each
 * product with one shortest chain down to a component (of the shortest, the first by ids) and the
 * components it reaches; the lines that make them (only in `$factoryIds` unless null) with their
 * factory; and the OPEN orders for them at those factories.
 */
export const CLOSURE = `
  CALL () {
    // UNWIND, not "WHERE c.id IN $componentIds": Neo4j 5.26 plans that IN as a unique index seek
    // and then drops the DISTINCT (and even a collect(DISTINCT)) after the pruning expand, so a
    // product reached from two of the components came out twice.
    // One breadth-first walk up from each component gives every product above it with its
    // shortest chains (ALL SHORTEST: all of the shortest length, so the pick below is stable), and
    // so which components each product reaches, without a shortestPath and an EXISTS walk per
    // (product, component) pair (138k db hits -> 3k for an 8-component outage at 50 factories).
    // No label on p (REQUIRES links products only): with one, and index statistics not yet
    // sampled after a large import, Neo4j 5.26 planned every product against every component and
    // ran out of transaction memory.
    UNWIND $componentIds AS componentId
    MATCH (c:Product {id: componentId})
    MATCH chain = ALL SHORTEST (c)<-[:REQUIRES]-{0,${MAX_BOM_DEPTH}}(p)
    WITH p, c.id AS reached, [n IN reverse(nodes(chain)) | n.id] AS ids
    ORDER BY size(ids), ids
    WITH p, collect(ids)[0] AS ids, collect(DISTINCT reached) AS reached
    WITH p, ids, [c IN $componentIds WHERE c IN reached] AS reaches
    ORDER BY p.id
    RETURN collect({product: p {.*}, chain: ids, reaches: reaches}) AS products
  }
  CALL (products) {
    UNWIND products AS row
    MATCH (l:Line)-[:PRODUCES]->(p:Product {id: row.product.id})
    MATCH (f:Factory)-[:HAS_LINE]->(l)
    WHERE $factoryIds IS NULL OR f.id IN $factoryIds
    WITH l, f, collect(p.id) AS madeHere ORDER BY l.id
    // no stations here: a large outage reaches hundreds of lines, and their capacity factors are
    // read (LINE_SHAPES) only when a client asks for them
    RETURN collect({line: l {.*}, factory: f {.*}, products: madeHere}) AS lines
  }
  CALL (products, lines) {
    UNWIND lines AS row
    WITH collect(DISTINCT row.factory.id) AS factoryIds, [x IN products | x.product.id] AS productIds
    MATCH (o:Order {status: 'OPEN'})-[:FOR]->(p:Product), (o)-[:AT]->(f:Factory)
    WHERE p.id IN productIds AND f.id IN factoryIds
    WITH o, p, f ORDER BY o.id
    RETURN collect({order: o {.*}, productId: p.id, factoryId: f.id}) AS orders
  }
  RETURN products, lines, orders`;

/** Stations and flows of lines by id, for their capacity factor (one batch per request). */
export const LINE_SHAPES = `
  UNWIND $ids AS id
  MATCH (l:Line {id: id})
  ${LINE_SHAPE}
  RETURN id, stations, flows`;
