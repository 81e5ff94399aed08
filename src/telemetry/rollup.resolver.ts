import DataLoader from 'dataloader';
import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../domain/context';
import { badInput } from '../errors';
import type { Graph } from '../graph/executor';
import { asPropsList, num, optStr, type Props } from '../graph/props';
import {
  type BucketAggregate,
  bucketCountUpperBound,
  bucketStartIso,
  combineBuckets,
  FIXED_BUCKET_MS,
  type RollupBucket,
  zoneOrUtc,
} from '../history/buckets';
import { historyDir, historyReaderFor } from '../history/reader';
import { Metric } from '../twins/asset.type';
import { historyBoundaryMs } from './history';
import { RollupBucketEnum, RollupPoint } from './rollup.type';
import { READ_METRIC_FACTORIES, READ_ROLLUP } from './telemetry.cypher';

/** Most buckets one rollup may answer (a year of hours, 69 days of minutes). */
export const MAX_ROLLUP_BUCKETS = 100_000;

/** A metric as both halves of a rollup need it: where it stands and the zone of its days. */
interface Placed {
  metricId: string;
  factoryId: string | null;
  zone: string;
}

const placedKey = (p: Placed) => JSON.stringify([p.metricId, p.factoryId, p.zone]);

/** The file halves of a request's rollups: one DuckDB query per level, zone and factory. */
const fileLoaders = new WeakMap<object, Map<string, DataLoader<string, BucketAggregate[]>>>();

@Resolver(() => Metric)
export class MetricRollupResolver {
  @FieldResolver(() => [RollupPoint], {
    description:
      "Count, min, max, avg and last of the readings per bucket in [from, to), oldest bucket first, over the whole history (the graph's recent window and the history files, each reading once; docs/history.md). DAY buckets are days of the metric's factory's time zone.",
  })
  async rollup(
    @Root() metric: Metric,
    @Arg('from', () => DateTimeResolver, { description: 'Inclusive.' }) from: Date,
    @Arg('to', () => DateTimeResolver, { description: 'Exclusive; after from.' }) to: Date,
    @Arg('bucket', () => RollupBucketEnum) bucket: RollupBucket,
    @Ctx() ctx: Context,
  ): Promise<RollupPoint[]> {
    const fromMs = from.getTime();
    const toMs = to.getTime();
    if (!(toMs > fromMs)) {
      throw badInput(`"to" must be after "from", got ${from.toISOString()} … ${to.toISOString()}`);
    }
    const buckets = bucketCountUpperBound(fromMs, toMs, bucket);
    if (buckets > MAX_ROLLUP_BUCKETS) {
      throw badInput(
        `at most ${MAX_ROLLUP_BUCKETS} buckets per rollup, [from, to) holds up to ${buckets} ${bucket} buckets: shorten the range or use a wider bucket`,
      );
    }
    const place = (
      await ctx.loaders
        .lists('metric-factory', (ids) => readFactories(ctx.graph, ids))
        .load(metric.id)
    )[0];
    const placed: Placed = {
      metricId: metric.id,
      factoryId: place ? optStr(place, 'id') : null,
      zone: bucket === 'DAY' ? zoneOrUtc(place ? optStr(place, 'timezone') : null) : 'UTC',
    };
    // the graph answers from the boundary on, the files before it (src/telemetry/history.ts)
    const boundary = historyBoundaryMs(ctx);
    const [recent, older] = await Promise.all([
      toMs > boundary ? this.graphHalf(ctx, placed, Math.max(fromMs, boundary), toMs, bucket) : [],
      fromMs < boundary ? this.fileHalf(ctx, placed, fromMs, Math.min(toMs, boundary), bucket) : [],
    ]);
    return combineBuckets([recent, older], bucket, placed.zone).map((b) =>
      Object.assign(new RollupPoint(), {
        bucketStart: bucketStartIso(b.key, bucket, placed.zone),
        count: b.count,
        min: b.min,
        max: b.max,
        avg: b.sum / b.count,
        last: b.last,
      }),
    );
  }

  private async graphHalf(
    ctx: Context,
    placed: Placed,
    fromMs: number,
    toMs: number,
    bucket: RollupBucket,
  ): Promise<BucketAggregate[]> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const rows = await ctx.loaders
      .lists(`rollup:${from}:${to}:${bucket}`, (keys) =>
        readGraphRollup(ctx.graph, keys, from, to, bucket),
      )
      .load(placedKey(placed));
    return rows.map(bucketFromProps);
  }

  private fileHalf(
    ctx: Context,
    placed: Placed,
    fromMs: number,
    toMs: number,
    bucket: RollupBucket,
  ): Promise<BucketAggregate[]> {
    let byName = fileLoaders.get(ctx.loaders);
    if (!byName) {
      byName = new Map();
      fileLoaders.set(ctx.loaders, byName);
    }
    const name = `${fromMs}:${toMs}:${bucket}`;
    let loader = byName.get(name);
    if (!loader) {
      const reader = historyReaderFor(historyDir(ctx.config));
      loader = new DataLoader<string, BucketAggregate[]>(async (keys) => {
        const placedKeys = keys.map(parsePlacedKey);
        // one query per zone and factory (a level of one factory: one query)
        const groups = new Map<string, Placed[]>();
        for (const p of placedKeys) {
          const g = JSON.stringify([p.zone, p.factoryId]);
          groups.set(g, [...(groups.get(g) ?? []), p]);
        }
        const answers = new Map<string, BucketAggregate[]>();
        for (const group of groups.values()) {
          const first = group[0];
          if (!first) continue;
          const byId = await reader.rollup({
            metricIds: group.map((p) => p.metricId),
            fromMs,
            toMs,
            bucket,
            timeZone: first.zone,
            factoryIds: first.factoryId === null ? null : [first.factoryId],
          });
          for (const p of group) answers.set(placedKey(p), byId.get(p.metricId) ?? []);
        }
        return keys.map((k) => answers.get(k) ?? []);
      });
      byName.set(name, loader);
    }
    return loader.load(placedKey(placed));
  }
}

async function readFactories(graph: Graph, ids: string[]): Promise<Props[][]> {
  const rows = await graph.read(READ_METRIC_FACTORIES, { ids });
  const byId = new Map(rows.map((r) => [String(r['id']), asPropsList(r['items'])]));
  return ids.map((id) => byId.get(id) ?? []);
}

async function readGraphRollup(
  graph: Graph,
  keys: string[],
  from: string,
  to: string,
  bucket: RollupBucket,
): Promise<Props[][]> {
  const metrics = keys.map((key) => {
    const p = parsePlacedKey(key);
    return { key, id: p.metricId, tz: bucket === 'DAY' ? p.zone : null };
  });
  const size = bucket === 'DAY' ? 0 : FIXED_BUCKET_MS[bucket];
  const rows = await graph.read(READ_ROLLUP, { metrics, from, to, size });
  const byKey = new Map(rows.map((r) => [String(r['id']), asPropsList(r['items'])]));
  return keys.map((k) => byKey.get(k) ?? []);
}

function parsePlacedKey(key: string): Placed {
  const parsed: unknown = JSON.parse(key);
  if (!Array.isArray(parsed)) throw new TypeError(`not a rollup key: ${key}`);
  const [metricId, factoryId, zone]: unknown[] = parsed;
  return {
    metricId: String(metricId),
    factoryId: typeof factoryId === 'string' ? factoryId : null,
    zone: String(zone),
  };
}

function bucketFromProps(p: Props): BucketAggregate {
  return {
    key: String(p['key']),
    count: num(p, 'n', 0),
    min: num(p, 'mn', Number.NaN),
    max: num(p, 'mx', Number.NaN),
    sum: num(p, 'total', 0),
    lastTsMs: Date.parse(String(p['lastTs'])),
    last: num(p, 'last', Number.NaN),
  };
}
