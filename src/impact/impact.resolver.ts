import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Float, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../domain/context';
import { badInput } from '../errors';
import { Factory } from '../twins/factory.type';
import { Line } from '../twins/line.type';
import { Order } from '../twins/order.type';
import { Product } from '../twins/product.type';
import { Shipment } from '../twins/shipment.type';
import { Supplier } from '../twins/supplier.type';
import type { Disruption, ImpactResult } from './impact.model';
import { flow, loadLineShapes, station } from './impact.load';
import { asPropsList } from '../graph/props';
import { analyseImpact } from './impact.service';
import { capacityFactor } from './quantities';
import {
  DisruptionInput,
  Exposure,
  ImpactComponent,
  ImpactLine,
  ImpactPath,
  ImpactRank,
  ImpactReport,
  ImpactStep,
  LostUnits,
} from './impact.type';

/** The one disruption of the input, checked: exactly one kind, a positive finite duration. */
export function toDisruption(input: DisruptionInput): Disruption {
  const given = (
    [
      ['supplierOutage', input.supplierOutage],
      ['shipmentDelay', input.shipmentDelay],
      ['assetDowntime', input.assetDowntime],
    ] as const
  ).filter(([, v]) => v !== null && v !== undefined);
  if (given.length === 0) {
    throw badInput(
      'name one disruption: disruption: { supplierOutage: {supplierId, days} } or shipmentDelay {shipmentId, days} or assetDowntime {assetId, hours}',
    );
  }
  if (given.length > 1) {
    throw badInput(
      `name only one disruption per query; got ${given.map(([k]) => k).join(' and ')} (run one query each)`,
    );
  }
  const positive = (name: string, v: number) => {
    if (!Number.isFinite(v) || v <= 0) {
      throw badInput(`"${name}" must be a positive number, got ${v}`);
    }
    return v;
  };
  const { supplierOutage, shipmentDelay, assetDowntime } = input;
  if (supplierOutage) {
    return {
      kind: 'SUPPLIER_OUTAGE',
      supplierId: supplierOutage.supplierId,
      days: positive('supplierOutage.days', supplierOutage.days),
    };
  }
  if (shipmentDelay) {
    return {
      kind: 'SHIPMENT_DELAY',
      shipmentId: shipmentDelay.shipmentId,
      days: positive('shipmentDelay.days', shipmentDelay.days),
    };
  }
  if (assetDowntime) {
    return {
      kind: 'ASSET_DOWNTIME',
      assetId: assetDowntime.assetId,
      hours: positive('assetDowntime.hours', assetDowntime.hours),
    };
  }
  throw badInput('name one disruption'); // unreachable: given has one entry
}

@Resolver()
export class ImpactResolver {
  @Query(() => ImpactReport, {
    description:
      'What one disruption puts at risk from asOf (default now): components, products (upward through the bill of materials), lines with capacity before and after, factories, open orders, shipments, exposures (days of cover, shortfall), lost units, a severity ranking and, for every affected twin, the path that explains it. See docs/analysis.md.',
  })
  async impact(
    @Arg('disruption', () => DisruptionInput) disruption: DisruptionInput,
    @Arg('asOf', () => DateTimeResolver, {
      nullable: true,
      description: 'Start of the window, ISO-8601 with a zone (default: now).',
    })
    asOf: Date | null,
    @Arg('includeMitigated', () => Boolean, {
      nullable: true,
      description: 'Supplier outage: let dual-sourced components propagate too (default false).',
    })
    includeMitigated: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ImpactReport> {
    const d = toDisruption(disruption);
    const asOfMs = asOf ? asOf.getTime() : Date.now();
    if (!Number.isFinite(asOfMs)) throw badInput('"asOf" is not a valid time');
    // a factory scope sees its part of the report only (docs/security.md, "Factory scopes: analyses")
    const visible = await ctx.scope.visible();
    const result = await analyseImpact(ctx.graph, d, asOfMs, includeMitigated ?? false, visible);
    return toReport(result);
  }
}

function toReport(r: ImpactResult): ImpactReport {
  return Object.assign(new ImpactReport(), {
    kind: r.disruption.kind,
    asOf: r.asOf,
    windowEnd: r.windowEnd,
    components: r.components.map((c) =>
      Object.assign(new ImpactComponent(), {
        product: Product.fromProps(c.product),
        soleSourced: c.soleSourced,
        alternativeSuppliers: c.alternativeSuppliers.map(Supplier.fromProps),
        atRisk: c.atRisk,
      }),
    ),
    products: r.products.map(Product.fromProps),
    lines: r.lines.map((l) =>
      Object.assign(new ImpactLine(), {
        line: Line.fromProps(l.line),
        known:
          l.capacityFactorBefore === null || l.capacityFactorAfter === null
            ? null
            : { before: l.capacityFactorBefore, after: l.capacityFactorAfter },
      }),
    ),
    factories: r.factories.map(Factory.fromProps),
    orders: r.orders.map(Order.fromProps),
    shipments: r.shipments.map(Shipment.fromProps),
    exposures: r.exposures.map((e) =>
      Object.assign(new Exposure(), {
        ...e,
        factory: Factory.fromProps(e.factory),
        component: Product.fromProps(e.component),
      }),
    ),
    lostUnits: r.lostUnits.map((l) =>
      Object.assign(new LostUnits(), {
        product: Product.fromProps(l.product),
        units: l.units,
        valueAtRisk: l.valueAtRisk,
      }),
    ),
    ranking: r.ranking.map((s) => Object.assign(new ImpactRank(), s)),
    paths: r.paths.map((p) =>
      Object.assign(new ImpactPath(), {
        kind: p.kind,
        id: p.id,
        steps: p.steps.map((s) => Object.assign(new ImpactStep(), s)),
      }),
    ),
  });
}

/**
 * A line the disruption does not change keeps one factor before and after; it is computed from
 * the line's stations only when a client selects it, all lines of a request in one read.
 */
@Resolver(() => ImpactLine)
export class ImpactLineResolver {
  @FieldResolver(() => Float, {
    description: 'c(L) as the line stands: max flow through its stations / nominal max flow.',
  })
  async capacityFactorBefore(@Root() l: ImpactLine, @Ctx() ctx: Context): Promise<number> {
    return l.known ? l.known.before : lineFactor(l, ctx);
  }

  @FieldResolver(() => Float, { description: 'c(L) during the disruption.' })
  async capacityFactorAfter(@Root() l: ImpactLine, @Ctx() ctx: Context): Promise<number> {
    return l.known ? l.known.after : lineFactor(l, ctx);
  }
}

async function lineFactor(l: ImpactLine, ctx: Context): Promise<number> {
  const [shape] = await ctx.loaders
    .lists('impact:lineShape', async (ids) =>
      (await loadLineShapes(ctx.graph, ids)).map((s) => [{ stations: s.stations, flows: s.flows }]),
    )
    .load(l.line.id);
  if (!shape) return 1; // an unknown line has no stations: c = 1
  return capacityFactor(
    asPropsList(shape['stations']).map(station),
    asPropsList(shape['flows']).map(flow),
  );
}
