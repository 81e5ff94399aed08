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
