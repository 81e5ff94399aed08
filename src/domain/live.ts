import type { PubSub } from 'type-graphql';

/**
 * The in-process live event bus behind GraphQL subscriptions: its routing keys, and the routing
 * ids under which an event is published, so a subscriber listens only to the narrowest stream it
 * asked for (one asset's events, not the whole plant's) instead of filtering them all.
 */
export const LIVE = {
  TELEMETRY: 'TELEMETRY',
  ASSET_STATUS: 'ASSET_STATUS',
  ALERT: 'ALERT',
  /** Progress of a simulation job, routed by the scenario's id. */
  SIMULATION_PROGRESS: 'SIMULATION_PROGRESS',
} as const;

export function routeIds(e: { factoryId: string; lineId: string; assetId?: string }): string[] {
  const ids = ['all', `factory:${e.factoryId}`, `line:${e.lineId}`];
  if (e.assetId !== undefined) ids.push(`asset:${e.assetId}`);
  return ids;
}

/** The narrowest routing id that a subscription's arguments allow. */
export function routeFor(args: {
  factoryId?: string | null | undefined;
  lineId?: string | null | undefined;
  assetId?: string | null | undefined;
}): string {
  if (args.assetId) return `asset:${args.assetId}`;
  if (args.lineId) return `line:${args.lineId}`;
  if (args.factoryId) return `factory:${args.factoryId}`;
  return 'all';
}

/**
 * How many listeners each routing key has (one per cohort of a subscription: see
 * src/server/cohorts.ts), and who is told when a key gains its first or loses its last. The
 * telemetry service subscribes its live MQTT connection to telemetry only while someone listens.
 */
export class LiveDemand {
  private readonly counts = new Map<string, number>();
  private readonly watchers = new Map<string, (listened: boolean) => void>();

  /** Whether anyone listens to `routingKey` now. */
  listened(routingKey: string): boolean {
    return (this.counts.get(routingKey) ?? 0) > 0;
  }

  /** `onChange(true)` when `routingKey` gains its first listener, `false` when it loses its last. */
  watch(routingKey: string, onChange: (listened: boolean) => void): void {
    this.watchers.set(routingKey, onChange);
  }

  add(routingKey: string): void {
    const n = (this.counts.get(routingKey) ?? 0) + 1;
    this.counts.set(routingKey, n);
    if (n === 1) this.watchers.get(routingKey)?.(true);
  }

  remove(routingKey: string): void {
    const n = (this.counts.get(routingKey) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(routingKey, n);
      return;
    }
    this.counts.delete(routingKey);
    if (n === 0) this.watchers.get(routingKey)?.(false);
  }
}

export interface LivePubSub extends PubSub {
  readonly demand: LiveDemand;
}
