import type { AlertRuleDef, Observation } from '../alerts/model';
import { outsideRange, readingObservations, stateObservations } from '../alerts/stream';
import type { AssetStatus } from '../domain/enums';
import type { LiveReading } from './events';
import { parseState, parseTelemetry, type PayloadLimits } from './payload';
import type { RejectionReason } from './reasons';
import type { ReadingRecord, RejectionRecord, StatusRecord } from './records';
import type { AssetInfo, AssetRegistry } from './registry';
import { parseTopic } from './topics';
import { convert } from '../domain/units';

export type IngestLimits = Omit<PayloadLimits, 'now'>;

/** What one MQTT message turned into: rows to store, events to push live, rejections to report. */
export type Processed =
  | {
      kind: 'telemetry';
      asset: AssetInfo;
      ts: string;
      readings: ReadingRecord[];
      live: LiveReading[];
      observations: Observation[];
      rejections: RejectionRecord[];
    }
  | {
      kind: 'state';
      asset: AssetInfo;
      state: StatusRecord;
      observations: Observation[];
      status: AssetStatus;
      previousStatus: AssetStatus;
    }
  | { kind: 'rejected'; rejections: RejectionRecord[] };

const PAYLOAD_SHOWN = 512;

/** A rejection row: what was wrong, where, and the start of the payload for diagnosis. */
export function rejection(
  reason: RejectionReason,
  detail: string,
  topic: string,
  payload: Buffer,
  receivedAt: string,
  metric: string | null = null,
): RejectionRecord {
  const shown = payload.subarray(0, PAYLOAD_SHOWN).toString('utf8');
  return {
    reason,
    detail,
    topic,
    payload: payload.length > PAYLOAD_SHOWN ? `${shown}… (${payload.length} bytes)` : shown,
    receivedAt,
    metric,
  };
}

/** processMessage bound to one instance's cache, prefix and limits, at the time of receipt. */
export type Ingest = (topic: string, payload: Buffer) => Promise<Processed>;

/** The alert rules checked as messages arrive (OUT_OF_RANGE, ASSET_DOWN); none by default. */
export type RulesNow = () => readonly AlertRuleDef[];

export function ingestWith(
  registry: AssetRegistry,
  prefix: string,
  limits: IngestLimits,
  rules: RulesNow = () => [],
): Ingest {
  return (topic, payload) =>
    processMessage(registry, prefix, limits, topic, payload, Date.now(), rules());
}

/**
 * Validates and normalises one message. Pure but for the registry lookup (cached); never throws
 * for any topic or payload.
 */
export async function processMessage(
  registry: AssetRegistry,
  prefix: string,
  limits: IngestLimits,
  topic: string,
  payload: Buffer,
  receivedAtMs: number,
  rules: readonly AlertRuleDef[] = [],
): Promise<Processed> {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const reject = (reason: RejectionReason, detail: string): Processed => ({
    kind: 'rejected',
    rejections: [rejection(reason, detail, topic, payload, receivedAt)],
  });

  const parsed = parseTopic(prefix, topic);
  if (!parsed.ok) return reject(parsed.reason, parsed.detail);
  const opts = { ...limits, now: receivedAtMs };
  const body =
    parsed.kind === 'telemetry' ? parseTelemetry(payload, opts) : parseState(payload, opts);
  if (!body.ok) return reject(body.reason, body.detail);

  let asset = await registry.get(parsed.assetId);
  if (!asset) return reject('UNKNOWN_ASSET', `no asset has the id "${parsed.assetId}"`);
  const stale =
    asset.factoryId !== parsed.factoryId ||
    asset.lineId !== parsed.lineId ||
    ('metrics' in body && body.metrics.some((m) => !asset?.metrics.has(m.name)));
  // the cache may predate a change made through another instance: look once more before refusing
  if (stale) {
    asset = await registry.recheck(parsed.assetId);
    if (!asset)
      return reject('UNKNOWN_ASSET', `no asset has the id "${parsed.assetId}" (any more)`);
  }
  if (asset.factoryId !== parsed.factoryId || asset.lineId !== parsed.lineId) {
    return reject(
      'WRONG_LINE',
      `asset "${asset.id}" is on line "${asset.lineId}" of factory "${asset.factoryId}", ` +
        `not on "${parsed.lineId}" of "${parsed.factoryId}"; publish to ${prefix}/${asset.factoryId}/${asset.lineId}/${asset.id}/${parsed.kind}`,
    );
  }

  if ('status' in body) {
    const previousStatus = asset.status;
    registry.setStatus(asset.id, body.status);
    return {
      kind: 'state',
      asset,
      status: body.status,
      previousStatus,
      observations: stateObservations(
        rules,
        { factoryId: asset.factoryId, lineId: asset.lineId, assetId: asset.id },
        body.status,
        body.reason,
        body.ts,
      ),
      state: {
        assetId: asset.id,
        status: body.status,
        reason: body.reason,
        ts: body.ts,
        topic,
        receivedAt,
      },
    };
  }

  const readings: ReadingRecord[] = [];
  const live: LiveReading[] = [];
  const observations: Observation[] = [];
  const rejections = body.rejectedMetrics.map((m) =>
    rejection(m.reason, `metric "${m.name}": ${m.detail}`, topic, payload, receivedAt, m.name),
  );
  for (const m of body.metrics) {
    const def = asset.metrics.get(m.name);
    if (!def) {
      const known = [...asset.metrics.keys()].join(', ') || 'none';
      rejections.push(
        rejection(
          'UNKNOWN_METRIC',
          `metric "${m.name}" is not defined on asset "${asset.id}" (its metrics: ${known})`,
          topic,
          payload,
          receivedAt,
          m.name,
        ),
      );
      continue;
    }
    const converted =
      m.unit === null
        ? { ok: true as const, value: m.value, conversion: null }
        : convert(m.value, m.unit, def.unit);
    if (!converted.ok) {
      rejections.push(
        rejection(
          converted.reason,
          `metric "${m.name}": ${converted.detail}`,
          topic,
          payload,
          receivedAt,
          m.name,
        ),
      );
      continue;
    }
    const flagged = outsideRange(def, converted.value);
    observations.push(
      ...readingObservations(
        rules,
        {
          factoryId: asset.factoryId,
          lineId: asset.lineId,
          assetId: asset.id,
          metricId: def.id,
          metric: def.name,
          unit: def.unit,
          min: def.min,
          max: def.max,
        },
        converted.value,
        body.ts,
      ),
    );
    readings.push({
      id: `${def.id}@${body.ts}`,
      metricId: def.id,
      assetId: asset.id,
      metric: def.name,
      ts: body.ts,
      value: converted.value,
      unit: def.unit,
      flagged,
      topic,
      receivedAt,
      originalValue: m.value,
      originalUnit: m.unit,
      conversion: converted.conversion,
    });
    live.push({
      metric: def.name,
      value: converted.value,
      unit: def.unit,
      flagged,
    });
  }
  return { kind: 'telemetry', asset, ts: body.ts, readings, live, observations, rejections };
}
