import type { MqttClient } from 'mqtt';
import type { Graph } from '../../src/graph/executor';
import { gql, type TestApp } from './app';
import { waitFor } from './live';

/*
 * The smallest plant telemetry tests need: two factories, one line (in F1), one press A1 with one
 * metric `temperature` in Cel, valid from 0 to 100. Each test uses its own MQTT_TOPIC_PREFIX.
 */
export const PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Body' }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 60,
      metrics: [{ name: 'temperature', unit: 'Cel', min: 0, max: 100 }],
    },
  ],
};

let stamp = Date.now() - 600_000;
/** Distinct, increasing timestamps (10 ms apart, in the recent past): each publish is a new reading. */
export const nextTs = (): string => new Date((stamp += 10)).toISOString();

/** Stored readings whose topic starts with `prefix/`. */
export async function readings(graph: Graph, prefix: string): Promise<number> {
  const rows = await graph.read(
    'MATCH (r:Reading) WHERE r.topic STARTS WITH $p RETURN count(r) AS n',
    { p: `${prefix}/` },
  );
  return Number(rows[0]?.['n'] ?? 0);
}

/** `n` QoS 1 readings of A1 under `prefix`, each acknowledged by the broker before the next. */
export async function publishMany(
  client: MqttClient,
  prefix: string,
  n: number,
  pauseEvery = 0,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    await client.publishAsync(
      `${prefix}/F1/L1/A1/telemetry`,
      JSON.stringify({ ts: nextTs(), metrics: { temperature: 20 + (i % 50) } }),
      { qos: 1 },
    );
    if (pauseEvery && i % pauseEvery === 0) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Imports PLANT through the API and waits until the app's asset cache knows A1. */
export async function importPlant(app: TestApp | { url: string }): Promise<void> {
  const res = await gql(app, 'mutation($d: JSON!) { importTwinGraph(document: $d) { twins } }', {
    d: PLANT,
  });
  expect(res.errors).toBeUndefined();
  if ('runtime' in app) {
    await waitFor('the registry to know A1', () => app.runtime.telemetry.registry.cached('A1'));
  }
}

/**
 * The smallest plant a simulation needs, dated around SIM_START: factory F1 with line L1 (press
 * A1 → oven A2, 10 units an hour each, failing at random with runs > 1) making P1 (160 a day on
 * two shifts of 8 h), each of which needs 2 P2 from the sole supplier S1; F1 holds 1,000 P2 and
 * 100 P1, 500 P2 arrive on day 2, and two orders of P1 fall due on days 3 and 8. F2 has nothing.
 */
export const SIM_START = '2026-11-25T00:00:00.000Z';
export const SIM_PLANT = {
  factories: [
    { id: 'F1', name: 'Leipzig' },
    { id: 'F2', name: 'Dresden' },
  ],
  lines: [{ id: 'L1', factoryId: 'F1', name: 'Doors', shiftsPerDay: 2, hoursPerShift: 8 }],
  assets: [
    {
      id: 'A1',
      lineId: 'L1',
      name: 'Press',
      kind: 'PRESS',
      ratePerHour: 10,
      mtbfHours: 50,
      mttrHours: 5,
    },
    {
      id: 'A2',
      lineId: 'L1',
      name: 'Oven',
      kind: 'OVEN',
      ratePerHour: 10,
      mtbfHours: 80,
      mttrHours: 4,
    },
  ],
  flows: [{ from: 'A1', to: 'A2' }],
  products: [
    { id: 'P1', sku: 'DOOR', name: 'Door', unitCost: 40, unitPrice: 100 },
    { id: 'P2', sku: 'SHEET', name: 'Sheet', unitCost: 5 },
  ],
  bom: [{ parentId: 'P1', componentId: 'P2', quantity: 2 }],
  production: [{ lineId: 'L1', productId: 'P1', ratePerHour: 10 }],
  suppliers: [{ id: 'S1', name: 'Acme Steel' }],
  supplies: [{ supplierId: 'S1', productId: 'P2', leadTimeDays: 3, unitCost: 5 }],
  inventory: [
    { factoryId: 'F1', productId: 'P2', quantity: 1000, safetyStock: 0 },
    { factoryId: 'F1', productId: 'P1', quantity: 100, safetyStock: 0 },
  ],
  shipments: [
    {
      id: 'SH1',
      supplierId: 'S1',
      factoryId: 'F1',
      productId: 'P2',
      quantity: 500,
      status: 'IN_TRANSIT',
      departedAt: '2026-11-20T00:00:00Z',
      eta: '2026-11-27T00:00:00Z',
    },
  ],
  orders: [
    {
      id: 'O1',
      factoryId: 'F1',
      productId: 'P1',
      quantity: 300,
      customer: 'Retail EU',
      dueDate: '2026-11-28T00:00:00Z',
      status: 'OPEN',
    },
    {
      id: 'O2',
      factoryId: 'F1',
      productId: 'P1',
      quantity: 1200,
      customer: 'Fleet',
      dueDate: '2026-12-03T00:00:00Z',
      status: 'OPEN',
    },
  ],
};
