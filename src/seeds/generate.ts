import { anchorHour, emptyDocument, type SeedDocument } from './document';
import { generateCatalog } from './generate-catalog';
import { addPlant, type City } from './generate-plant';
import { createRng, deriveSeed } from '../domain/prng';

/*
 * A synthetic plant network of any size for load tests and benchmarks, built like the demo:
 * lines with FEEDS DAGs and parallel stations, a multi-level BOM shared across factories,
 * sole- and multi-sourced components, inventory, shipments and orders. About 2,000 twins per
 * factory (factories + lines + assets + metrics + products + suppliers + shipments + orders).
 */

export interface GenerateOptions {
  /** Number of factories, an integer ≥ 1. */
  factories: number;
  /** PRNG seed (default 1): the same seed and options give the same document. */
  seed?: number;
  /**
   * Reference instant for shipment times and due dates, floored to the full UTC hour. Default
   * 2026-11-25T00:00:00Z, a fixed date so that the output depends on the seed only.
   */
  now?: Date;
}

export const DEFAULT_GENERATOR_NOW = new Date('2026-11-25T00:00:00Z');

const CITIES: readonly City[] = [
  { name: 'Leipzig', country: 'DE', timezone: 'Europe/Berlin', lat: 51.34, lon: 12.37 },
  { name: 'Wolfsburg', country: 'DE', timezone: 'Europe/Berlin', lat: 52.42, lon: 10.79 },
  { name: 'Győr', country: 'HU', timezone: 'Europe/Budapest', lat: 47.69, lon: 17.63 },
  { name: 'Bratislava', country: 'SK', timezone: 'Europe/Bratislava', lat: 48.15, lon: 17.11 },
  { name: 'Mladá Boleslav', country: 'CZ', timezone: 'Europe/Prague', lat: 50.41, lon: 14.9 },
  { name: 'Valencia', country: 'ES', timezone: 'Europe/Madrid', lat: 39.47, lon: -0.38 },
  { name: 'Turin', country: 'IT', timezone: 'Europe/Rome', lat: 45.07, lon: 7.69 },
  { name: 'Sunderland', country: 'GB', timezone: 'Europe/London', lat: 54.91, lon: -1.38 },
  { name: 'Kocaeli', country: 'TR', timezone: 'Europe/Istanbul', lat: 40.77, lon: 29.92 },
  { name: 'Tangier', country: 'MA', timezone: 'Africa/Casablanca', lat: 35.76, lon: -5.83 },
  { name: 'Pretoria', country: 'ZA', timezone: 'Africa/Johannesburg', lat: -25.75, lon: 28.19 },
  { name: 'Puebla', country: 'MX', timezone: 'America/Mexico_City', lat: 19.04, lon: -98.21 },
  { name: 'Saltillo', country: 'MX', timezone: 'America/Monterrey', lat: 25.42, lon: -101.0 },
  { name: 'Silao', country: 'MX', timezone: 'America/Mexico_City', lat: 20.94, lon: -101.43 },
  { name: 'Chattanooga', country: 'US', timezone: 'America/New_York', lat: 35.05, lon: -85.31 },
  { name: 'Spartanburg', country: 'US', timezone: 'America/New_York', lat: 34.95, lon: -81.93 },
  { name: 'Detroit', country: 'US', timezone: 'America/Detroit', lat: 42.33, lon: -83.05 },
  { name: 'Fremont', country: 'US', timezone: 'America/Los_Angeles', lat: 37.55, lon: -121.99 },
  { name: 'Windsor', country: 'CA', timezone: 'America/Toronto', lat: 42.31, lon: -83.04 },
  {
    name: 'São José dos Pinhais',
    country: 'BR',
    timezone: 'America/Sao_Paulo',
    lat: -25.53,
    lon: -49.21,
  },
  {
    name: 'Córdoba',
    country: 'AR',
    timezone: 'America/Argentina/Cordoba',
    lat: -31.42,
    lon: -64.18,
  },
  { name: 'Chennai', country: 'IN', timezone: 'Asia/Kolkata', lat: 13.08, lon: 80.27 },
  { name: 'Pune', country: 'IN', timezone: 'Asia/Kolkata', lat: 18.52, lon: 73.86 },
  { name: 'Rayong', country: 'TH', timezone: 'Asia/Bangkok', lat: 12.68, lon: 101.28 },
  { name: 'Shenyang', country: 'CN', timezone: 'Asia/Shanghai', lat: 41.81, lon: 123.43 },
  { name: 'Changchun', country: 'CN', timezone: 'Asia/Shanghai', lat: 43.82, lon: 125.32 },
  { name: 'Ulsan', country: 'KR', timezone: 'Asia/Seoul', lat: 35.54, lon: 129.31 },
  { name: 'Toyota', country: 'JP', timezone: 'Asia/Tokyo', lat: 35.08, lon: 137.16 },
  { name: 'Karawang', country: 'ID', timezone: 'Asia/Jakarta', lat: -6.32, lon: 107.34 },
  { name: 'Melbourne', country: 'AU', timezone: 'Australia/Melbourne', lat: -37.81, lon: 144.96 },
];

/** A valid twin-graph document with `factories` plants, deterministic for a seed. */
export function generateDocument(options: GenerateOptions): SeedDocument {
  const { factories } = options;
  if (!Number.isInteger(factories) || factories < 1) {
    throw new RangeError(`factories must be an integer >= 1, got ${factories}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const anchor = anchorHour(options.now ?? DEFAULT_GENERATOR_NOW);
  const midnight = Math.floor(anchor / 86_400_000) * 86_400_000;

  const catalog = generateCatalog(createRng(deriveSeed(seed, 0)), factories);
  const doc = emptyDocument();
  doc.products = catalog.products;
  doc.bom = catalog.bom;
  doc.suppliers = catalog.suppliers;
  doc.supplies = catalog.supplies;

  const cities = createRng(deriveSeed(seed, 1)).sample(CITIES, CITIES.length);
  const width = Math.max(4, String(factories).length);
  for (let i = 0; i < factories; i++) {
    const city = cities[i % cities.length] as City;
    const round = Math.floor(i / cities.length);
    addPlant(doc, {
      rng: createRng(deriveSeed(seed, i + 2)),
      catalog,
      index: i,
      width,
      city,
      name: round === 0 ? city.name : `${city.name} ${round + 1}`,
      anchor,
      midnight,
    });
  }
  return doc;
}
