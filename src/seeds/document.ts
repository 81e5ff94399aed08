/*
 * What the seeds write: the import's input form of the twin-graph document (src/twins/import/
 * document.ts owns the types; the validator owns what is accepted), with every optional property
 * given, so that a seed never rests on a default and its builders say exactly the contract's keys.
 */
import {
  SECTIONS,
  type Section,
  type TwinCounts,
  type TwinDocumentInput,
} from '../twins/import/document';

/**
 * Optional properties whose absence is not a default but means something of its own (a supplier
 * without recoveryDays takes riskExposure's recoveryDays argument): a seed still writes the key,
 * but may write null, so that a demo can show both cases.
 */
type MayBeUnset = 'recoveryDays';

/** `T` with every optional or nullable property given, in nested rows (an asset's metrics) too. */
export type Complete<T> = T extends readonly (infer E)[]
  ? Complete<E>[]
  : T extends object
    ? {
        -readonly [K in keyof T]-?: K extends MayBeUnset
          ? Complete<NonNullable<T[K]>> | null
          : Complete<NonNullable<T[K]>>;
      }
    : T;

/** A seed document: every section present, every row complete. */
export type SeedDocument = Complete<TwinDocumentInput>;

/** Asset.kind is open-ended in the model; the seeds keep to these. */
export const ASSET_KINDS = [
  'PRESS',
  'CNC',
  'ROBOT',
  'CONVEYOR',
  'OVEN',
  'WELDER',
  'PAINT_BOOTH',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Every section, empty, in document order (SECTIONS: the key order of the written JSON). */
export function emptyDocument(): SeedDocument {
  const doc: Partial<Record<Section, never[]>> = {};
  for (const section of SECTIONS) doc[section] = [];
  return doc as SeedDocument;
}

/** The twins (nodes) of each kind, and all of them: relationship rows such as flows are not twins. */
export type TwinsPerKind = Pick<
  TwinCounts,
  'factories' | 'lines' | 'assets' | 'metrics' | 'products' | 'suppliers' | 'shipments' | 'orders'
> & { total: number };

export function twinsPerKind(doc: SeedDocument): TwinsPerKind {
  const counts = {
    factories: doc.factories.length,
    lines: doc.lines.length,
    assets: doc.assets.length,
    metrics: doc.assets.reduce((n, a) => n + a.metrics.length, 0),
    products: doc.products.length,
    suppliers: doc.suppliers.length,
    shipments: doc.shipments.length,
    orders: doc.orders.length,
  };
  return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

const HOUR_MS = 3_600_000;

/**
 * The reference instant the seeds count from: `now` floored to the full UTC hour, so that times
 * derived from it stay readable (`2026-11-27T08:00:00Z`) whatever moment a demo starts.
 */
export function anchorHour(now: Date): number {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new RangeError('now is not a valid date');
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** UTC ISO-8601 without milliseconds, `days` (fractional) after the anchor, to the minute. */
export function isoAfter(anchorMs: number, days: number): string {
  const t = anchorMs + Math.round(days * 24 * 60) * 60_000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}
