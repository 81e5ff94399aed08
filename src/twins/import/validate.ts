/**
 * Validation of a twin-graph document (domain.md §2): pure, no database. Either the normalised
 * document, or every problem with its JSON path, so a client fixes a file in one round.
 */
import type { z } from 'zod/v4';
import {
  emptyDocument,
  SECTIONS,
  type AssetRow,
  type KnownIds,
  type Section,
  type TwinDocument,
  type ValidateOptions,
  type ValidationResult,
} from './document';
import { addIssues, errorMap, ProblemList } from './problems';
import { checkRelations, isRecord, REFERENCES, stringAt, type RawSections } from './relations';
import * as schema from './schema';
import { describe, quote } from './values';

/**
 * Checks shape, types, value ranges, ids, references, line boundaries and cycles of `input`.
 * References resolve inside the document or against `known` (twins already stored), and stored
 * FEEDS / REQUIRES edges in `known` take part in cycle detection.
 */
export function validateDocument(
  input: unknown,
  known: KnownIds = {},
  options: ValidateOptions = {},
): ValidationResult {
  const problems = new ProblemList(options.maxProblems);
  const raw = readSections(input, problems);
  const doc: TwinDocument = {
    factories: parseRows(raw, 'factories', schema.factorySchema, problems),
    lines: parseRows(raw, 'lines', schema.lineSchema, problems),
    assets: parseRows(raw, 'assets', schema.assetSchema, problems).map(withMetricIds),
    flows: parseRows(raw, 'flows', schema.flowSchema, problems),
    products: parseRows(raw, 'products', schema.productSchema, problems),
    bom: parseRows(raw, 'bom', schema.bomSchema, problems),
    production: parseRows(raw, 'production', schema.productionSchema, problems),
    suppliers: parseRows(raw, 'suppliers', schema.supplierSchema, problems),
    supplies: parseRows(raw, 'supplies', schema.supplySchema, problems),
    inventory: parseRows(raw, 'inventory', schema.inventorySchema, problems),
    shipments: parseRows(raw, 'shipments', schema.shipmentSchema, problems),
    orders: parseRows(raw, 'orders', schema.orderSchema, problems),
  };
  checkRelations(raw, known, problems);
  return problems.size === 0 ? { ok: true, doc } : { ok: false, problems: problems.toArray() };
}

/** The top level: an object of known sections, each an array (or null / absent: empty). */
function readSections(input: unknown, problems: ProblemList): RawSections {
  const raw: RawSections = emptyDocument();
  if (!isRecord(input)) {
    problems.add('', `expected an object (the twin-graph document), got ${describe(input)}`);
    return raw;
  }
  const allowed = new Set<string>(SECTIONS);
  for (const [key, value] of Object.entries(input)) {
    if (!allowed.has(key)) {
      problems.add(key, `unknown key ${quote(key)}; allowed keys: ${SECTIONS.join(', ')}`);
    } else if (Array.isArray(value)) raw[key as Section] = value;
    else if (value !== null && value !== undefined) {
      problems.add(key, `expected an array, got ${describe(value)}`);
    }
  }
  return raw;
}

function parseRows<T>(
  raw: RawSections,
  section: Section,
  rowSchema: z.ZodType<T>,
  problems: ProblemList,
): T[] {
  const rows: T[] = [];
  raw[section].forEach((row, i) => {
    const result = rowSchema.safeParse(row, { error: errorMap });
    if (result.success) rows.push(result.data);
    else addIssues(problems, [section, i], result.error.issues);
  });
  return rows;
}

function withMetricIds(asset: z.output<typeof schema.assetSchema>): AssetRow {
  const metrics = asset.metrics.map((m) => ({
    id: `${asset.id}/${m.name}`,
    assetId: asset.id,
    ...m,
  }));
  return { ...asset, metrics };
}

export interface ExternalReferences {
  factories: string[];
  lines: string[];
  assets: string[];
  products: string[];
  suppliers: string[];
}

/**
 * The ids a document references without declaring them, read leniently from the raw input: what
 * an importer looks up in the database to build `KnownIds` before validating.
 */
export function externalReferences(input: unknown): ExternalReferences {
  const raw = readSections(input, new ProblemList(0));
  const declared = (section: Section): Set<string> =>
    new Set(raw[section].map((row) => stringAt(row, 'id')).filter((id) => id !== undefined));
  const wanted: Record<keyof ExternalReferences, Set<string>> = {
    factories: new Set(),
    lines: new Set(),
    assets: new Set(),
    products: new Set(),
    suppliers: new Set(),
  };
  const own = new Map<Section, Set<string>>();
  for (const { section, field, label } of REFERENCES) {
    const ids = own.get(label) ?? declared(label);
    own.set(label, ids);
    for (const row of raw[section]) {
      const id = stringAt(row, field);
      if (id !== undefined && !ids.has(id)) wanted[label].add(id);
    }
  }
  return {
    factories: [...wanted.factories],
    lines: [...wanted.lines],
    assets: [...wanted.assets],
    products: [...wanted.products],
    suppliers: [...wanted.suppliers],
  };
}
