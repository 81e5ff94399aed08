import type { RuleCache } from '../alerts/rule-cache';
import { LIVE, routeIds, type LivePubSub } from '../domain/live';
import { errorText, type Log } from '../log';
import { type BusMessage, decodeBus, isBusTopic } from './bus';
import type { LiveStatusEvent, LiveTelemetryEvent } from './events';
import type { Ingest, Processed } from './ingest';
import type { AssetRegistry } from './registry';
import { isReservedTopic, isTelemetryTopic } from './topics';

/**
 * The live side of one instance: every validated message goes to this instance's GraphQL
 * subscribers at once (not waiting for Neo4j), and `_events` from any instance keep its asset
 * cache in step with the graph and reach its subscribers.
 */
export class LiveFeed {
  /** Telemetry messages received (whether or not anyone listened). */
  telemetryMessages = 0;

  constructor(
    private readonly registry: AssetRegistry,
    private readonly rules: RuleCache,
    private readonly ingest: Ingest,
    private readonly pubSub: LivePubSub,
    private readonly prefix: string,
    private readonly log: Log,
  ) {}

  /** Handles one message of the live connection; never throws. */
  async onMessage(topic: string, payload: Buffer): Promise<void> {
    try {
      if (isBusTopic(this.prefix, topic)) {
        const decoded = decodeBus(this.prefix, topic, payload);
        if (!decoded.ok) {
          this.log.warn(`ignored an event on ${topic}: ${decoded.error}`);
          return;
        }
        await this.onBus(decoded.message);
        return;
      }
      if (isReservedTopic(this.prefix, topic)) return; // our own reserved levels
      // telemetry that arrives while nobody listens (the connection lingers after the last
      // subscription) is not worth validating: persisting is the persist connection's
      if (isTelemetryTopic(topic)) {
        this.telemetryMessages += 1;
        if (!this.pubSub.demand.listened(LIVE.TELEMETRY)) return;
      }
      this.publish(await this.ingest(topic, payload));
    } catch (err) {
      this.log.error(`live event of ${topic} failed: ${errorText(err)}`);
    }
  }

  private publish(result: Processed): void {
    if (result.kind === 'telemetry' && result.live.length > 0) {
      const event: LiveTelemetryEvent = {
        factoryId: result.asset.factoryId,
        lineId: result.asset.lineId,
        asset: result.asset.props,
        ts: result.ts,
        readings: result.live,
      };
      for (const id of routeIds({ ...event, assetId: result.asset.id })) {
        this.pubSub.publish(LIVE.TELEMETRY, id, event);
      }
    } else if (result.kind === 'state') {
      this.publishStatus(result.asset.id, result.status, result.previousStatus, {
        reason: result.state.reason,
        ts: result.state.ts,
        source: 'telemetry',
      });
    }
  }

  private publishStatus(
    assetId: string,
    status: string,
    previousStatus: string | null,
    rest: Pick<LiveStatusEvent, 'reason' | 'ts' | 'source'>,
  ): void {
    const asset = this.registry.cached(assetId);
    if (!asset) return;
    const event: LiveStatusEvent = {
      factoryId: asset.factoryId,
      lineId: asset.lineId,
      asset: asset.props,
      status,
      previousStatus,
      ...rest,
    };
    for (const id of routeIds({ ...event, assetId })) {
      this.pubSub.publish(LIVE.ASSET_STATUS, id, event);
    }
  }

  private async onBus(message: BusMessage): Promise<void> {
    switch (message.kind) {
      case 'import':
        await this.registry.loadAll();
        return;
      case 'twins': {
        const { kind, ids } = message.body;
        if (kind === 'Asset' || kind === 'Metric') await this.registry.refreshAssets(ids);
        else if (kind === 'Line') await this.registry.refreshScope({ lineIds: ids });
        else if (kind === 'Factory') await this.registry.refreshScope({ factoryIds: ids });
        return;
      }
      case 'asset': {
        const { assetId, status, previousStatus, reason } = message.body;
        const asset = await this.registry.refresh(assetId);
        if (!asset || status === null || previousStatus === status) return;
        this.publishStatus(assetId, status, previousStatus, {
          reason,
          ts: new Date().toISOString(),
          source: 'api',
        });
        return;
      }
      case 'alert': {
        // alertRaised hears raises; every subscriber filters by factory and severity itself
        const notice = message.body;
        if (notice.event !== 'RAISED') return;
        this.pubSub.publish(LIVE.ALERT, 'all', notice);
        if (notice.factoryId)
          this.pubSub.publish(LIVE.ALERT, `factory:${notice.factoryId}`, notice);
        return;
      }
      case 'rules':
        await this.rules.load();
        return;
      case 'simulation':
        this.pubSub.publish(LIVE.SIMULATION_PROGRESS, message.body.scenarioId, message.body);
        return;
    }
  }
}
