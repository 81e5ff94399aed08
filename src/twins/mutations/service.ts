import { badInput, notFound, TwinError } from '../../errors';
import type { Graph, Tx } from '../../graph/executor';
import type { TwinLabel } from '../../graph/loaders';
import type { Problem, TwinDocument } from '../import/document';
import {
  deleteTwinCypher,
  RECORD_API_STATUS_CHANGE,
  removeRelationshipCypher,
  SECTION_ROWS,
  twinExistsCypher,
  twinLinksCypher,
} from '../cypher';
import { compact } from '../import/export';
import { referencedIds } from '../import/service';
import { validateDocument } from '../import/validate';
import { writeDocument } from '../import/writer';
import { newEdgeCycles } from './cycles';

/*
 * Every write of a single twin or relationship goes through the import's validation and writer,
 * so a mutation and a batch import accept and store exactly the same things. What a mutation
 * reads of the stored graph follows what it names, never the size of the graph: the twins its
 * row references, by id, and for a new FEEDS or REQUIRES edge a search from that edge alone.
 */
export type TwinSection =
  'factories' | 'lines' | 'assets' | 'products' | 'suppliers' | 'shipments' | 'orders';
export type RelSection = 'flows' | 'bom' | 'production' | 'supplies' | 'inventory';

export const SECTION_LABEL = {
  factories: 'Factory',
  lines: 'Line',
  assets: 'Asset',
  products: 'Product',
  suppliers: 'Supplier',
  shipments: 'Shipment',
  orders: 'Order',
} as const satisfies Record<TwinSection, TwinLabel>;

/** What a mutation needs of the executor: transactions (a test passes one that profiles them). */
export type Transactions = Pick<Graph, 'transaction'>;

/** A twin's row as the document has it (import/document.ts), before and after a write. */
export type TwinRow = Record<string, unknown>;

export interface TwinWrite {
  id: string;
  /** The stored row before an update; null for a create. */
  before: TwinRow | null;
  /** The validated row that was written. */
  after: TwinRow;
}

/** Input objects from type-graphql are class instances; keep only the fields given. */
function given(input: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, Array.isArray(v) ? v.map((x: object) => given(x)) : v]),
  );
}

/**
 * Validates a one-row document and writes it; problems are reported on the input's fields.
 * Returns the row as written (defaults applied).
 */
async function validateAndWrite(
  tx: Tx,
  section: keyof TwinDocument,
  row: Record<string, unknown>,
  inputName: string,
): Promise<TwinRow> {
  const input = { [section]: [row] };
  const result = validateDocument(input, await referencedIds(tx, input));
  const problems = result.ok ? await newEdgeCycles(tx, result.doc) : result.problems;
  if (!result.ok || problems.length > 0) throw invalid(section, inputName, problems);
  await writeDocument(tx, result.doc, undefined, { recordImportedStatus: false });
  const written: readonly object[] = result.doc[section];
  return { ...written[0] };
}

/**
 * An asset created with a status, or whose status changed: its `statusTs` becomes now and the
 * change goes on its timeline (source `api`), in the mutation's transaction. The reasons are
 * those assetStatusChanged announces (twin.events.ts).
 */
async function recordStatusChange(
  tx: Tx,
  section: keyof TwinDocument,
  id: string,
  before: TwinRow | null,
  after: TwinRow,
): Promise<void> {
  if (section !== 'assets') return;
  const status = after['status'];
  if (typeof status !== 'string' || status === (before?.['status'] ?? null)) return;
  await tx.run(RECORD_API_STATUS_CHANGE, {
    id,
    at: new Date().toISOString(),
    status,
    reason: before ? 'changed through the API' : 'created through the API',
  });
}

function invalid(section: keyof TwinDocument, inputName: string, found: Problem[]): TwinError {
  const problems = found.map((p) => ({
    path: p.path.replace(new RegExp(`^${section}\\[0\\]`), inputName),
    message: p.message,
  }));
  const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return badInput(`Invalid ${inputName}: ${summary}`, problems);
}

async function exists(tx: Tx, label: TwinLabel, id: string): Promise<boolean> {
  return (await tx.run(twinExistsCypher(label), { id })).length > 0;
}

export async function createTwin(
  graph: Transactions,
  section: TwinSection,
  input: object,
): Promise<TwinWrite> {
  const row = given(input);
  const id = String(row['id']);
  const label = SECTION_LABEL[section];
  const after = await graph.transaction('WRITE', async (tx) => {
    if (await exists(tx, label, id)) {
      throw new TwinError(
        'CONFLICT',
        `${label} "${id}" already exists; use update${label} to change it, or choose another id`,
        { kind: label, id },
      );
    }
    const written = await validateAndWrite(tx, section, row, 'input');
    await recordStatusChange(tx, section, id, null, written);
    return written;
  });
  return { id, before: null, after };
}

export async function updateTwin(
  graph: Transactions,
  section: TwinSection,
  id: string,
  patch: object,
): Promise<TwinWrite> {
  const label = SECTION_LABEL[section];
  return graph.transaction('WRITE', async (tx) => {
    const stored = await tx.run(SECTION_ROWS[section]('n.id = $id'), { id });
    const current = compact(stored[0]?.['row']);
    if (typeof current !== 'object' || current === null) throw notFound(label, id);
    const before: TwinRow = { ...current };
    // Metrics in a patch are added or redefined; stored ones stay (the writer never drops them).
    const merged = {
      ...before,
      ...(section === 'assets' ? { metrics: [] } : {}),
      ...given(patch),
      id,
    };
    const after = await validateAndWrite(tx, section, merged, 'patch');
    await recordStatusChange(tx, section, id, before, after);
    return { id, before, after };
  });
}

export async function setRelationship(
  graph: Transactions,
  section: RelSection,
  input: object,
): Promise<void> {
  await graph.transaction('WRITE', (tx) => validateAndWrite(tx, section, given(input), 'input'));
}

/** A relationship as the API names it: its type and the argument naming each end. */
export interface RelationshipShape {
  rel: string;
  from: { key: string; kind: TwinLabel };
  to: { key: string; kind: TwinLabel };
  /** Why there is nothing to remove, e.g. `no flow from asset "A1" to "A2"`. */
  missing(keys: Readonly<Record<string, string>>): string;
}

export async function removeRelationship(
  graph: Transactions,
  shape: RelationshipShape,
  keys: Readonly<Record<string, string>>,
): Promise<void> {
  const { rel, from, to } = shape;
  const rows = await graph.transaction('WRITE', (tx) =>
    tx.run(removeRelationshipCypher(from.kind, rel, to.kind), {
      from: keys[from.key],
      to: keys[to.key],
    }),
  );
  if (Number(rows[0]?.['n'] ?? 0) === 0) {
    throw new TwinError('NOT_FOUND', `Nothing to remove: ${shape.missing(keys)}`, { ...keys });
  }
}

/*
 * Deleting a twin. Without `cascade` a twin that is linked to anything is kept, and the error
 * lists its links. With `cascade` the twin goes together with what cannot exist without it,
 * and every other link is detached. CASCADE says in words what goes with a twin (for the
 * mutations' descriptions); the statements are CASCADE_DEPENDENTS and deleteTwinCypher
 * (src/twins/cypher/mutations.ts).
 */
export const CASCADE: Record<TwinSection, { dependents: string }> = {
  factories: {
    dependents: 'its lines, their assets and metrics, and the shipments and orders to it',
  },
  lines: { dependents: 'its assets and their metrics' },
  assets: { dependents: 'its metrics' },
  products: { dependents: 'the shipments and orders of it' },
  suppliers: { dependents: 'its shipments' },
  shipments: { dependents: '' },
  orders: { dependents: '' },
};

export interface DeletedTwin {
  kind: string;
  id: string;
  /** For a metric: the asset it belonged to. */
  assetId?: string;
}

export interface DeleteOutcome {
  deleted: DeletedTwin[];
  links: { type: string; direction: string; kind: string; id: string }[];
}

export async function deleteTwin(
  graph: Transactions,
  section: TwinSection,
  id: string,
  cascade: boolean,
): Promise<DeleteOutcome> {
  const label = SECTION_LABEL[section];
  return graph.transaction('WRITE', async (tx) => {
    const found = await tx.run(twinLinksCypher(label), { id });
    if (found.length === 0) throw notFound(label, id);
    const raw: unknown = found[0]?.['links'];
    const links = (Array.isArray(raw) ? raw : []).map((l: Record<string, unknown>) => ({
      type: String(l['type']),
      direction: String(l['direction']),
      kind: String(l['kind']),
      id: String(l['id']),
    }));
    if (links.length > 0 && !cascade) throw linked(label, id, links);
    const deleted = await tx.run(deleteTwinCypher(label, section), { id });
    return {
      deleted: deleted.map((r) => ({
        kind: String(r['kind']),
        id: String(r['id']),
        ...(typeof r['assetId'] === 'string' ? { assetId: r['assetId'] } : {}),
      })),
      links,
    };
  });
}

function linked(label: TwinLabel, id: string, links: DeleteOutcome['links']): TwinError {
  const shown = links
    .slice(0, 10)
    .map(
      (l) =>
        `${l.direction === 'out' ? '-' : '<-'}[:${l.type}]${l.direction === 'out' ? '->' : '-'}(${l.kind} "${l.id}")`,
    )
    .join(', ');
  return new TwinError(
    'CONFLICT',
    `${label} "${id}" is linked to ${links.length} twin(s): ${shown}${links.length > 10 ? ', ...' : ''}. ` +
      'Remove those links first, or delete with cascade: true (see the mutation description for what goes with it).',
    { kind: label, id, links },
  );
}
