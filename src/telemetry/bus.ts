import { z } from 'zod';
import { ALERT_STATES, ALERT_SUBJECT_LABELS } from '../domain/alerts';
import { ALERT_SEVERITIES, SCENARIO_STATUSES } from '../domain/enums';
import { TWIN_KINDS } from '../domain/events';

/**
 * The `_events` bus between API instances: what one instance tells all others (and itself)
 * through the broker, so that no state lives only in one process. One topic per kind,
 * `<prefix>/_events/<kind>`, with a JSON body checked against its schema on arrival; a message
 * that does not match is logged and ignored, never half-applied.
 */

const schemas = {
  /** Twins were created, changed or deleted through the API. */
  twins: z.object({
    kind: z.enum(TWIN_KINDS),
    ids: z.array(z.string()),
    op: z.enum(['create', 'update', 'delete']),
  }),
  /** An asset's status changed through the API. */
  asset: z.object({
    assetId: z.string(),
    previousStatus: z.string().nullable(),
    status: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  /** A batch import (server or `npm run import`): caches reload. */
  import: z.object({ at: z.string() }),
  /** An alert was raised, acknowledged or resolved (by the instance that wrote it). */
  alert: z.object({
    event: z.enum(['RAISED', 'ACKNOWLEDGED', 'RESOLVED']),
    id: z.string(),
    ruleId: z.string().nullable(),
    kind: z.string(),
    severity: z.enum(ALERT_SEVERITIES),
    state: z.enum(ALERT_STATES),
    message: z.string(),
    raisedAt: z.string(),
    lastSeenAt: z.string(),
    count: z.number().int(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    about: z.object({ label: z.enum(ALERT_SUBJECT_LABELS), id: z.string() }),
    factoryId: z.string().nullable(),
    lineId: z.string().nullable(),
    assetId: z.string().nullable(),
    metricId: z.string().nullable(),
  }),
  /** Alert rules changed: every instance reloads the rules it checks telemetry against. */
  rules: z.object({ at: z.string() }),
  /** A simulation job moved on (its Scenario node is written first). */
  simulation: z.object({
    scenarioId: z.string(),
    status: z.enum(SCENARIO_STATUSES),
    progress: z.number().min(0).max(1),
    runsDone: z.number().int().nonnegative(),
    runsTotal: z.number().int().nonnegative(),
    message: z.string().nullable(),
  }),
};

export type BusKind = keyof typeof schemas;
export type BusMessage = {
  [K in BusKind]: { kind: K; body: z.infer<(typeof schemas)[K]> };
}[BusKind];

const isBusKind = (k: string): k is BusKind => Object.hasOwn(schemas, k);

export function busTopic(prefix: string, kind: BusKind): string {
  return `${prefix}/_events/${kind}`;
}

/** Every bus topic: what each instance's live connection subscribes to. */
export function busFilter(prefix: string): string {
  return `${prefix}/_events/#`;
}

export function isBusTopic(prefix: string, topic: string): boolean {
  return topic.startsWith(`${prefix}/_events/`);
}

export function encodeBus(message: BusMessage): string {
  return JSON.stringify(message.body);
}

/** The message, or an error text saying what is wrong with it. */
export function decodeBus(
  prefix: string,
  topic: string,
  payload: Buffer,
): { ok: true; message: BusMessage } | { ok: false; error: string } {
  const kind = topic.slice(`${prefix}/_events/`.length);
  if (!isBusKind(kind)) return { ok: false, error: `unknown event kind "${kind}"` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const message = parseBody(kind, json);
  return message ?? { ok: false, error: `not a valid "${kind}" event` };
}

function parseBody(kind: BusKind, json: unknown): { ok: true; message: BusMessage } | null {
  switch (kind) {
    case 'twins': {
      const r = schemas.twins.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
    case 'asset': {
      const r = schemas.asset.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
    case 'import': {
      const r = schemas.import.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
    case 'alert': {
      const r = schemas.alert.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
    case 'simulation': {
      const r = schemas.simulation.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
    case 'rules': {
      const r = schemas.rules.safeParse(json);
      return r.success ? { ok: true, message: { kind, body: r.data } } : null;
    }
  }
}

/**
 * Tells running servers through the broker that twins changed outside them (`npm run import`).
 * Resolves false when no broker answered within `timeoutMs`: the servers then notice at their
 * next periodic cache reload (TELEMETRY_CACHE_RELOAD_S).
 */
export async function announceOnBus(
  url: string,
  prefix: string,
  message: BusMessage,
  timeoutMs = 3000,
): Promise<boolean> {
  const { connectAsync } = await import('mqtt');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const client = await Promise.race([
      connectAsync(url, { reconnectPeriod: 0, connectTimeout: timeoutMs }),
      timeout,
    ]);
    try {
      await Promise.race([
        client.publishAsync(busTopic(prefix, message.kind), encodeBus(message), { qos: 1 }),
        timeout,
      ]);
      return true;
    } finally {
      await client.endAsync(true);
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
