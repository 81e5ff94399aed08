import { badInput, notFound, TwinError } from '../../errors';
import type { Graph, Tx } from '../../graph/executor';
import type { TwinDocument } from '../import/document';
import { compact, SECTION_ROWS } from '../import/export';
import { knownIds } from '../import/service';
import { validateDocument } from '../import/validate';
import { writeDocument } from '../import/writer';
import type { TwinLabel } from '../../graph/loaders';

/*
 * Every write of a single twin or relationship goes through the import's validation and writer,
 * so a mutation and a batch import accept and store exactly the same things.
 */
export type TwinSection =
  'factories' | 'lines' | 'assets' | 'products' | 'suppliers' | 'shipments' | 'orders';
export type RelSection = 'flows' | 'bom' | 'production' | 'supplies' | 'inventory';

export const SECTION_LABEL: Record<TwinSection, TwinLabel> = {
  factories: 'Factory',
  lines: 'Line',
  assets: 'Asset',
  products: 'Product',
  suppliers: 'Supplier',
  shipments: 'Shipment',
  orders: 'Order',
};

const UPDATE_NAME: Record<TwinSection, string> = {
  factories: 'updateFactory',
  lines: 'updateLine',
  assets: 'updateAsset',
  products: 'updateProduct',
  suppliers: 'updateSupplier',
  shipments: 'updateShipment',
  orders: 'updateOrder',
};

/** Input objects from type-graphql are class instances; keep only the fields given. */
function given(input: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, Array.isArray(v) ? v.map((x: object) => given(x)) : v]),
  );
}

/** Validates a one-section document and writes it; problems are reported on the input's fields. */
async function validateAndWrite(
  tx: Tx,
  section: keyof TwinDocument,
  row: Record<string, unknown>,
  inputName: string,
) {
  const input = { [section]: [row] };
  const result = validateDocument(input, await knownIds(tx, input));
  if (!result.ok) {
    const problems = result.problems.map((p) => ({
      path: p.path.replace(new RegExp(`^${section}\\[0\\]`), inputName),
      message: p.message,
    }));
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw badInput(`Invalid ${inputName}: ${summary}`, problems);
  }
  await writeDocument(tx, result.doc);
}

async function exists(tx: Tx, label: TwinLabel, id: string): Promise<boolean> {
  return (await tx.run(`MATCH (n:${label} {id: $id}) RETURN n.id AS id`, { id })).length > 0;
}

export async function createTwin(
  graph: Graph,
  section: TwinSection,
  input: object,
): Promise<string> {
  const row = given(input);
  const id = String(row['id']);
  const label = SECTION_LABEL[section];
  await graph.transaction('WRITE', async (tx) => {
    if (await exists(tx, label, id)) {
      throw new TwinError(
        'CONFLICT',
        `${label} "${id}" already exists; use ${UPDATE_NAME[section]} to change it, or choose another id`,
        { kind: label, id },
      );
    }
    await validateAndWrite(tx, section, row, 'input');
  });
  return id;
}

export async function updateTwin(
  graph: Graph,
  section: TwinSection,
  id: string,
  patch: object,
): Promise<string> {
  const label = SECTION_LABEL[section];
  await graph.transaction('WRITE', async (tx) => {
    const stored = await tx.run(SECTION_ROWS[section]('n.id = $id'), { id });
    const current = compact(stored[0]?.['row']);
    if (typeof current !== 'object' || current === null) throw notFound(label, id);
    // Metrics in a patch are added or redefined; stored ones stay (the writer never drops them).
    const merged = {
      ...current,
      ...(section === 'assets' ? { metrics: [] } : {}),
      ...given(patch),
      id,
    };
    await validateAndWrite(tx, section, merged, 'patch');
  });
  return id;
}

export async function setRelationship(
  graph: Graph,
  section: RelSection,
  input: object,
): Promise<void> {
  await graph.transaction('WRITE', (tx) => validateAndWrite(tx, section, given(input), 'input'));
}

const REL_DELETE: Record<
  RelSection,
  { cypher: string; describe: (p: Record<string, string>) => string }
> = {
  flows: {
    cypher:
      'MATCH (:Asset {id: $from})-[r:FEEDS]->(:Asset {id: $to}) DELETE r RETURN count(*) AS n',
    describe: (p) => `no flow from asset "${p['from']}" to "${p['to']}"`,
  },
  bom: {
    cypher:
      'MATCH (:Product {id: $parentId})-[r:REQUIRES]->(:Product {id: $componentId}) DELETE r RETURN count(*) AS n',
    describe: (p) => `product "${p['parentId']}" does not require "${p['componentId']}"`,
  },
  production: {
    cypher:
      'MATCH (:Line {id: $lineId})-[r:PRODUCES]->(:Product {id: $productId}) DELETE r RETURN count(*) AS n',
    describe: (p) => `line "${p['lineId']}" does not produce "${p['productId']}"`,
  },
  supplies: {
    cypher:
      'MATCH (:Supplier {id: $supplierId})-[r:SUPPLIES]->(:Product {id: $productId}) DELETE r RETURN count(*) AS n',
    describe: (p) => `supplier "${p['supplierId']}" does not supply "${p['productId']}"`,
  },
  inventory: {
    cypher:
      'MATCH (:Factory {id: $factoryId})-[r:STOCKS]->(:Product {id: $productId}) DELETE r RETURN count(*) AS n',
    describe: (p) => `factory "${p['factoryId']}" holds no stock of "${p['productId']}"`,
  },
};

export async function removeRelationship(
  graph: Graph,
  section: RelSection,
  ids: Record<string, string>,
): Promise<void> {
  const spec = REL_DELETE[section];
  const rows = await graph.write(spec.cypher, ids);
  if (Number(rows[0]?.['n'] ?? 0) === 0) {
    throw new TwinError('NOT_FOUND', `Nothing to remove: ${spec.describe(ids)}`, { ...ids });
  }
}

/*
 * Deleting a twin. Without `cascade` a twin that is linked to anything is kept, and the error
 * lists its links. With `cascade` the twin goes together with what cannot exist without it:
 * a factory takes its lines, a line its assets, an asset its metrics, and shipments and orders
 * go with the factory, product or supplier they name. Every other link is detached.
 */
const DEPENDENTS: Record<TwinSection, string> = {
  factories: `OPTIONAL MATCH (n)-[:HAS_LINE]->(l:Line)
    OPTIONAL MATCH (l)-[:HAS_ASSET]->(a:Asset)
    OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
    OPTIONAL MATCH (n)<-[:TO|AT]-(x:Shipment|Order)
    RETURN collect(DISTINCT l) + collect(DISTINCT a) + collect(DISTINCT m) + collect(DISTINCT x) AS deps`,
  lines: `OPTIONAL MATCH (n)-[:HAS_ASSET]->(a:Asset)
    OPTIONAL MATCH (a)-[:HAS_METRIC]->(m:Metric)
    RETURN collect(DISTINCT a) + collect(DISTINCT m) AS deps`,
  assets: `OPTIONAL MATCH (n)-[:HAS_METRIC]->(m:Metric) RETURN collect(DISTINCT m) AS deps`,
  products: `OPTIONAL MATCH (n)<-[:CARRIES|FOR]-(x:Shipment|Order) RETURN collect(DISTINCT x) AS deps`,
  suppliers: `OPTIONAL MATCH (n)<-[:FROM]-(x:Shipment) RETURN collect(DISTINCT x) AS deps`,
  shipments: `RETURN [] AS deps`,
  orders: `RETURN [] AS deps`,
};

export interface DeleteOutcome {
  deleted: { kind: string; id: string }[];
  links: { type: string; direction: string; kind: string; id: string }[];
}

export async function deleteTwin(
  graph: Graph,
  section: TwinSection,
  id: string,
  cascade: boolean,
): Promise<DeleteOutcome> {
  const label = SECTION_LABEL[section];
  return graph.transaction('WRITE', async (tx) => {
    const found = await tx.run(
      `MATCH (n:${label} {id: $id})
       OPTIONAL MATCH (n)-[r]-(m)
       WITH n, r, m ORDER BY type(r), m.id
       RETURN collect(CASE WHEN r IS NULL THEN null ELSE {type: type(r),
         direction: CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END,
         kind: labels(m)[0], id: m.id} END) AS links`,
      { id },
    );
    if (found.length === 0) throw notFound(label, id);
    const raw: unknown = found[0]?.['links'];
    const links = (Array.isArray(raw) ? raw : []).map((l: Record<string, unknown>) => ({
      type: String(l['type']),
      direction: String(l['direction']),
      kind: String(l['kind']),
      id: String(l['id']),
    }));
    if (links.length > 0 && !cascade) {
      const shown = links
        .slice(0, 10)
        .map(
          (l) =>
            `${l.direction === 'out' ? '-' : '<-'}[:${l.type}]${l.direction === 'out' ? '->' : '-'}(${l.kind} "${l.id}")`,
        )
        .join(', ');
      throw new TwinError(
        'CONFLICT',
        `${label} "${id}" is linked to ${links.length} twin(s): ${shown}${links.length > 10 ? ', ...' : ''}. ` +
          'Remove those links first, or delete with cascade: true (see the mutation description for what goes with it).',
        { kind: label, id, links },
      );
    }
    const deleted = await tx.run(
      `MATCH (n:${label} {id: $id})
       CALL (n) { ${DEPENDENTS[section]} }
       WITH n, [d IN deps WHERE d IS NOT NULL] AS deps
       WITH [n] + deps AS doomed
       UNWIND doomed AS d
       WITH d, labels(d)[0] AS kind, d.id AS id
       DETACH DELETE d
       RETURN kind, id`,
      { id },
    );
    return {
      deleted: deleted.map((r) => ({ kind: String(r['kind']), id: String(r['id']) })),
      links,
    };
  });
}
