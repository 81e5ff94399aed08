import { TwinError } from '../../errors';
import type { Tx } from '../../graph/executor';
import { WRITE_SECTION, type WriteSection } from '../cypher';
import type { TwinDocument } from './document';

/** Rows per UNWIND statement: large enough to amortise round trips, small enough for the heap. */
export const BATCH_SIZE = 5000;

interface Step {
  /** Section name used in messages; its statement is WRITE_SECTION[name]. */
  name: WriteSection;
  rows: (doc: TwinDocument) => readonly object[];
}

/*
 * One statement per section, in an order where every twin a row references is written before it
 * (src/twins/cypher/import-export.ts says what each statement does).
 */
const STEPS: Step[] = [
  { name: 'factories', rows: (d) => d.factories },
  { name: 'lines', rows: (d) => d.lines },
  { name: 'assets', rows: (d) => d.assets.map(({ metrics: _metrics, ...asset }) => asset) },
  { name: 'metrics', rows: (d) => d.assets.flatMap((a) => a.metrics) },
  { name: 'flows', rows: (d) => d.flows },
  { name: 'products', rows: (d) => d.products },
  { name: 'bom', rows: (d) => d.bom },
  { name: 'production', rows: (d) => d.production },
  { name: 'suppliers', rows: (d) => d.suppliers },
  { name: 'supplies', rows: (d) => d.supplies },
  { name: 'inventory', rows: (d) => d.inventory },
  { name: 'shipments', rows: (d) => d.shipments },
  { name: 'orders', rows: (d) => d.orders },
];

export interface WriteProgress {
  section: string;
  written: number;
  total: number;
}

export interface WriteOptions {
  /**
   * Record an asset status set for the first time or changed on the asset's timeline as
   * imported (default true). The single-twin mutations pass false and record their own change.
   */
  recordImportedStatus?: boolean;
}

/**
 * Writes a validated document inside the caller's transaction, section by section in batches.
 * Throws (so the transaction rolls back) when a referenced twin disappeared after validation.
 */
export async function writeDocument(
  tx: Tx,
  doc: TwinDocument,
  onProgress?: (p: WriteProgress) => void,
  options: WriteOptions = {},
): Promise<void> {
  // one time for every status change of the document: the import's
  const statusAt = (options.recordImportedStatus ?? true) ? new Date().toISOString() : null;
  for (const step of STEPS) {
    const rows = step.rows(doc);
    for (let i = 0; i < rows.length; i += BATCH_SIZE) {
      const batch = rows.slice(i, i + BATCH_SIZE);
      const params = step.name === 'assets' ? { rows: batch, statusAt } : { rows: batch };
      const result = await tx.run(WRITE_SECTION[step.name], params);
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
