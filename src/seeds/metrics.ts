import type { MetricInput } from '../twins/import/document';
import type { AssetKind, Complete } from './document';

/*
 * What each kind of station reports, in canonical UCUM units, with the valid range an alert rule
 * would check (values typical of automotive body, paint and assembly shops).
 */
export const METRICS_BY_KIND: Readonly<Record<AssetKind, readonly Complete<MetricInput>[]>> = {
  PRESS: [
    { name: 'hydraulicPressure', unit: 'bar', min: 0, max: 320 },
    { name: 'oilTemperature', unit: 'Cel', min: 10, max: 65 },
    { name: 'vibration', unit: 'mm/s', min: 0, max: 7.1 },
    { name: 'strokeRate', unit: '/min', min: 0, max: 30 },
  ],
  CNC: [
    { name: 'spindleSpeed', unit: '/min', min: 0, max: 15000 },
    { name: 'spindleLoad', unit: '%', min: 0, max: 100 },
    { name: 'coolantTemperature', unit: 'Cel', min: 15, max: 35 },
  ],
  ROBOT: [
    { name: 'motorTemperature', unit: 'Cel', min: 0, max: 80 },
    { name: 'power', unit: 'kW', min: 0, max: 12 },
  ],
  CONVEYOR: [
    { name: 'driveFrequency', unit: 'Hz', min: 0, max: 60 },
    { name: 'beltSpeed', unit: 'm/s', min: 0, max: 1.5 },
    { name: 'vibration', unit: 'mm/s', min: 0, max: 4.5 },
  ],
  OVEN: [
    { name: 'temperature', unit: 'Cel', min: 150, max: 230 },
    { name: 'power', unit: 'kW', min: 0, max: 350 },
    { name: 'airFlow', unit: 'm3/h', min: 2000, max: 12000 },
  ],
  WELDER: [
    { name: 'weldCurrent', unit: 'kA', min: 4, max: 14 },
    { name: 'electrodeTemperature', unit: 'Cel', min: 20, max: 120 },
    { name: 'coolingWaterFlow', unit: 'L/min', min: 2, max: 12 },
    { name: 'voltage', unit: 'V', min: 0, max: 40 },
  ],
  PAINT_BOOTH: [
    { name: 'boothTemperature', unit: 'Cel', min: 18, max: 28 },
    { name: 'relativeHumidity', unit: '%', min: 45, max: 75 },
    { name: 'airVelocity', unit: 'm/s', min: 0.25, max: 0.55 },
  ],
};

/** Reliability by kind: mean time between failures and to repair, in hours. */
export const RELIABILITY_BY_KIND: Readonly<Record<AssetKind, { mtbf: number; mttr: number }>> = {
  PRESS: { mtbf: 420, mttr: 4 },
  CNC: { mtbf: 650, mttr: 3 },
  ROBOT: { mtbf: 1500, mttr: 2 },
  CONVEYOR: { mtbf: 2500, mttr: 1.5 },
  OVEN: { mtbf: 3000, mttr: 6 },
  WELDER: { mtbf: 800, mttr: 2.5 },
  PAINT_BOOTH: { mtbf: 1200, mttr: 5 },
};

/** A fresh copy of the metrics of a kind, limited to `count` (at least 2). */
export function metricsFor(kind: AssetKind, count?: number): Complete<MetricInput>[] {
  const all = METRICS_BY_KIND[kind];
  const n = Math.max(2, Math.min(all.length, count ?? all.length));
  return all.slice(0, n).map((m) => ({ ...m }));
}
