/**
 * The MQTT topics of the unified namespace (docs/mqtt.md, "Topics"):
 * `<prefix>/{factoryId}/{lineId}/{assetId}/telemetry|state`, with system topics under reserved
 * first levels (`<prefix>/_rejected/<reason>`, `<prefix>/_events/...`). The prefix may itself
 * hold several levels (`acme/twin`).
 */
import { reject, type Rejection, type RejectionReason } from './reasons';

export const TOPIC_KINDS = ['telemetry', 'state'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/**
 * First levels under the prefix that are never a factory id. Every level starting with `_` is
 * kept for system topics, so adding one later cannot capture a plant's data.
 */
export const RESERVED_LEVELS = ['_rejected', '_events'] as const;

export interface ParsedTopic {
  readonly ok: true;
  readonly kind: TopicKind;
  readonly factoryId: string;
  readonly lineId: string;
  readonly assetId: string;
}

const MAX_SHOWN = 120;

/** Splits a topic into its kind and the three twin ids; never throws. */
export function parseTopic(prefix: string, topic: string): ParsedTopic | Rejection<'BAD_TOPIC'> {
  if (
    topic.length <= prefix.length + 1 ||
    !topic.startsWith(prefix) ||
    topic.charCodeAt(prefix.length) !== 47 // '/'
  ) {
    return bad(topic, `is not under the prefix "${prefix}/"`);
  }
  const levels = topic.slice(prefix.length + 1).split('/');
  if (levels.length !== 4) {
    return bad(
      topic,
      `has ${levels.length} levels after the prefix; expected {factoryId}/{lineId}/{assetId}/telemetry|state`,
    );
  }
  const [factoryId = '', lineId = '', assetId = '', kind = ''] = levels;
  if (kind !== 'telemetry' && kind !== 'state') {
    return bad(topic, `ends in "${shorten(kind)}"; expected "telemetry" or "state"`);
  }
  const problem =
    levelProblem('factoryId', factoryId) ??
    levelProblem('lineId', lineId) ??
    levelProblem('assetId', assetId);
  if (problem !== null) return bad(topic, problem);
  if (factoryId.startsWith('_')) {
    return bad(topic, `starts with the reserved level "${shorten(factoryId)}", not a factory id`);
  }
  return { ok: true, kind, factoryId, lineId, assetId };
}

export function telemetryTopic(
  prefix: string,
  factoryId: string,
  lineId: string,
  assetId: string,
): string {
  return assetTopic(prefix, factoryId, lineId, assetId, 'telemetry');
}

export function stateTopic(
  prefix: string,
  factoryId: string,
  lineId: string,
  assetId: string,
): string {
  return assetTopic(prefix, factoryId, lineId, assetId, 'state');
}

/** What the ingester subscribes to (a shared subscription wraps these as `$share/<group>/...`). */
export function subscriptionFilters(prefix: string): [telemetry: string, state: string] {
  return [`${prefix}/+/+/+/telemetry`, `${prefix}/+/+/+/state`];
}

/** Whether a topic ends in the telemetry level (whatever its other levels hold). */
export function isTelemetryTopic(topic: string): boolean {
  return topic.endsWith('/telemetry');
}

/** `<prefix>/_...`: the server's own events and dead letters, never telemetry. */
export function isReservedTopic(prefix: string, topic: string): boolean {
  return topic.startsWith(`${prefix}/_`);
}

/** Where alerts are published for other plant systems: `<prefix>/_alerts/{factoryId}/{severity}`. */
export function alertTopic(
  prefix: string,
  alert: { factoryId: string | null; severity: string },
): string {
  return `${prefix}/_alerts/${alert.factoryId ?? '_none'}/${alert.severity}`;
}

/** The dead-letter topic of one rejection reason. */
export function rejectedTopic(prefix: string, reason: RejectionReason): string {
  return `${prefix}/_rejected/${reason}`;
}

/**
 * Builds the topic of an asset. Ids come from the graph, whose import refuses "/", "+" and "#"
 * in them, so a bad id here is a programming error and throws.
 */
function assetTopic(
  prefix: string,
  factoryId: string,
  lineId: string,
  assetId: string,
  kind: TopicKind,
): string {
  const problem =
    levelProblem('factoryId', factoryId) ??
    levelProblem('lineId', lineId) ??
    levelProblem('assetId', assetId) ??
    (factoryId.startsWith('_') ? `factoryId "${factoryId}" starts with the reserved "_"` : null);
  if (problem !== null) throw new RangeError(`cannot build a ${kind} topic: ${problem}`);
  return `${prefix}/${factoryId}/${lineId}/${assetId}/${kind}`;
}

function levelProblem(what: string, level: string): string | null {
  if (level === '') return `has an empty ${what} level`;
  if (/[/+#]/.test(level)) {
    return `has a ${what} level "${shorten(level)}" with "/", "+" or "#"`;
  }
  return null;
}

function bad(topic: string, why: string): Rejection<'BAD_TOPIC'> {
  return reject('BAD_TOPIC', `topic "${shorten(topic)}" ${why}`);
}

function shorten(text: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN)}…`;
}
