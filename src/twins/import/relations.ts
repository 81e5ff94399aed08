/**
 * Rules between rows: duplicate ids and relationships, dangling references, flows across lines,
 * cycles. They read the raw rows leniently (any row with a string where a reference belongs), so a
 * row with a type error still has its references checked and every problem shows at once.
 */
import { findCycles, type CycleEdge } from './cycles';
import type { KnownIds, Section } from './document';
import type { ProblemList } from './problems';
import { quote } from './values';

export type RawSections = Record<Section, readonly unknown[]>;

type Label = 'factories' | 'lines' | 'assets' | 'products' | 'suppliers';

const NOUN: Record<Label, string> = {
  factories: 'factory',
  lines: 'line',
  assets: 'asset',
  products: 'product',
  suppliers: 'supplier',
};

/** Every reference of the document: which field of which section names a twin of which label. */
export const REFERENCES: readonly { section: Section; field: string; label: Label }[] = [
  { section: 'lines', field: 'factoryId', label: 'factories' },
  { section: 'assets', field: 'lineId', label: 'lines' },
  { section: 'flows', field: 'from', label: 'assets' },
  { section: 'flows', field: 'to', label: 'assets' },
  { section: 'bom', field: 'parentId', label: 'products' },
  { section: 'bom', field: 'componentId', label: 'products' },
  { section: 'production', field: 'lineId', label: 'lines' },
  { section: 'production', field: 'productId', label: 'products' },
  { section: 'supplies', field: 'supplierId', label: 'suppliers' },
  { section: 'supplies', field: 'productId', label: 'products' },
  { section: 'inventory', field: 'factoryId', label: 'factories' },
  { section: 'inventory', field: 'productId', label: 'products' },
  { section: 'shipments', field: 'supplierId', label: 'suppliers' },
  { section: 'shipments', field: 'factoryId', label: 'factories' },
  { section: 'shipments', field: 'productId', label: 'products' },
  { section: 'orders', field: 'factoryId', label: 'factories' },
  { section: 'orders', field: 'productId', label: 'products' },
];

/** Relationship rows, identified by their pair of ends: the same pair twice is a duplicate. */
const PAIRS: readonly { section: Section; ends: readonly [string, string] }[] = [
  { section: 'flows', ends: ['from', 'to'] },
  { section: 'bom', ends: ['parentId', 'componentId'] },
  { section: 'production', ends: ['lineId', 'productId'] },
  { section: 'supplies', ends: ['supplierId', 'productId'] },
  { section: 'inventory', ends: ['factoryId', 'productId'] },
];

const ID_SECTIONS = [
  'factories',
  'lines',
  'assets',
  'products',
  'suppliers',
  'shipments',
  'orders',
] as const;

export function checkRelations(raw: RawSections, known: KnownIds, problems: ProblemList): void {
  const declared = new Map<Section, Map<string, number>>();
  for (const section of ID_SECTIONS) declared.set(section, declareIds(raw, section, problems));
  checkMetricNames(raw.assets, problems);
  const resolves = (label: Label, id: string): boolean =>
    (declared.get(label)?.has(id) ?? false) || (known[label]?.has(id) ?? false);
  for (const { section, field, label } of REFERENCES) {
    raw[section].forEach((row, i) => {
      const id = stringAt(row, field);
      if (id !== undefined && !resolves(label, id)) {
        problems.add(`${section}[${i}].${field}`, `unknown ${NOUN[label]} ${quote(id)}`);
      }
    });
  }
  const firsts = new Map<Section, Set<number>>();
  for (const pair of PAIRS) firsts.set(pair.section, checkDuplicatePairs(raw, pair, problems));
  const flows = checkFlowLines(raw, known, firsts.get('flows') ?? new Set(), resolves, problems);
  reportCycles(flows, known.existingFlows, 'flows', problems);
  const bom: CycleEdge[] = [];
  for (const i of firsts.get('bom') ?? []) {
    const from = stringAt(raw.bom[i], 'parentId') ?? '';
    const to = stringAt(raw.bom[i], 'componentId') ?? '';
    if (resolves('products', from) && resolves('products', to)) bom.push({ from, to, row: i });
  }
  const stored = mapIterable(known.existingBom, (e) => ({ from: e.parentId, to: e.componentId }));
  reportCycles(bom, stored, 'bom', problems);
}

/** Ids of a section with the row that declares each first; later rows with one are duplicates. */
function declareIds(
  raw: RawSections,
  section: Section,
  problems: ProblemList,
): Map<string, number> {
  const ids = new Map<string, number>();
  raw[section].forEach((row, i) => {
    const id = stringAt(row, 'id');
    if (id === undefined) return;
    const first = ids.get(id);
    if (first === undefined) ids.set(id, i);
    else
      problems.add(`${section}[${i}].id`, `duplicate id ${quote(id)} (also ${section}[${first}])`);
  });
  return ids;
}

function checkMetricNames(assets: readonly unknown[], problems: ProblemList): void {
  assets.forEach((asset, a) => {
    const metrics = isRecord(asset) ? asset['metrics'] : undefined;
    if (!Array.isArray(metrics)) return;
    const names = new Map<string, number>();
    metrics.forEach((metric: unknown, m) => {
      const name = stringAt(metric, 'name');
      if (name === undefined) return;
      const first = names.get(name);
      if (first === undefined) names.set(name, m);
      else {
        problems.add(
          `assets[${a}].metrics[${m}].name`,
          `duplicate metric ${quote(name)} (also assets[${a}].metrics[${first}])`,
        );
      }
    });
  });
}

/** Reports repeated pairs; returns the rows that are first with their pair. */
function checkDuplicatePairs(
  raw: RawSections,
  { section, ends: [a, b] }: (typeof PAIRS)[number],
  problems: ProblemList,
): Set<number> {
  const seen = new Map<string, number>();
  const firsts = new Set<number>();
  raw[section].forEach((row, i) => {
    const x = stringAt(row, a);
    const y = stringAt(row, b);
    if (x === undefined || y === undefined) return;
    const key = `${x}\u0000${y}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      firsts.add(i);
    } else {
      problems.add(
        `${section}[${i}]`,
        `duplicate of ${section}[${first}]: the same ${a} ${quote(x)} and ${b} ${quote(y)}`,
      );
    }
  });
  return firsts;
}

/** Flags flows between lines; returns the flows that take part in cycle detection. */
function checkFlowLines(
  raw: RawSections,
  known: KnownIds,
  firsts: ReadonlySet<number>,
  resolves: (label: Label, id: string) => boolean,
  problems: ProblemList,
): CycleEdge[] {
  const lineOfDeclared = new Map<string, string | undefined>();
  for (const asset of raw.assets) {
    const id = stringAt(asset, 'id');
    if (id !== undefined && !lineOfDeclared.has(id))
      lineOfDeclared.set(id, stringAt(asset, 'lineId'));
  }
  const lineOf = (asset: string): string | undefined =>
    lineOfDeclared.has(asset) ? lineOfDeclared.get(asset) : known.assets?.get(asset)?.lineId;
  const edges: CycleEdge[] = [];
  for (const i of firsts) {
    const from = stringAt(raw.flows[i], 'from') ?? '';
    const to = stringAt(raw.flows[i], 'to') ?? '';
    if (!resolves('assets', from) || !resolves('assets', to)) continue;
    const [lineA, lineB] = [lineOf(from), lineOf(to)];
    if (lineA !== undefined && lineB !== undefined && lineA !== lineB) {
      problems.add(
        `flows[${i}]`,
        `asset ${quote(from)} is on line ${quote(lineA)} but asset ${quote(to)} is on line ${quote(lineB)}: material flows only within one line`,
      );
    } else edges.push({ from, to, row: i });
  }
  return edges;
}

function reportCycles(
  edges: CycleEdge[],
  stored: Iterable<{ from: string; to: string }> | undefined,
  section: 'flows' | 'bom',
  problems: ProblemList,
): void {
  if (edges.length === 0) return;
  for (const edge of stored ?? []) edges.push({ from: edge.from, to: edge.to });
  for (const cycle of findCycles(edges)) {
    problems.add(
      `${section}[${cycle.row}]`,
      cycleMessage(section, cycle.nodes, cycle.throughStored),
    );
  }
}

/** How a cycle is reported, by the import and by a single mutation alike. */
export function cycleMessage(
  section: 'flows' | 'bom',
  nodes: readonly string[],
  throughStored: boolean,
): string {
  const what = section === 'flows' ? 'flows form a' : 'the bill of materials has a';
  const suffix = throughStored ? ' (closed by stored relationships)' : '';
  return `${what} cycle ${showCycle(nodes)}${suffix}`;
}

/** `A1 → A2 → A1`, eliding the middle of a very long cycle. */
function showCycle(nodes: readonly string[]): string {
  if (nodes.length <= 21) return nodes.join(' → ');
  const elided = nodes.length - 20;
  return [...nodes.slice(0, 10), `... ${elided} more ...`, ...nodes.slice(-10)].join(' → ');
}

function* mapIterable<T, U>(items: Iterable<T> | undefined, f: (item: T) => U): Iterable<U> {
  for (const item of items ?? []) yield f(item);
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The non-empty string at `key` of a raw row, if there is one. */
export function stringAt(row: unknown, key: string): string | undefined {
  if (!isRecord(row)) return undefined;
  const value = row[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
