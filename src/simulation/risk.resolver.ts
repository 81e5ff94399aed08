import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../domain/context';
import { badInput } from '../errors';
import { Factory } from '../twins/factory.type';
import { Product } from '../twins/product.type';
import { Supplier } from '../twins/supplier.type';
import { DEFAULT_RECOVERY_DAYS, riskExposure } from './risk';
import { RiskComponent, SupplierRisk } from './risk.type';
import { loadScopedSnapshot, scopeRisk } from './scoped';
import { twin } from './twin-ref';

/** Most rows `first` may ask for; the ranking itself always covers every supplier. */
const MAX_FIRST = 10_000;

@Resolver(() => SupplierRisk)
export class RiskResolver {
  @Query(() => [SupplierRisk], {
    description:
      'Every supplier ranked by risk exposure: time to survive without it against its time to recover, and what an outage that long costs (domain.md §4b).',
  })
  async riskExposure(
    @Ctx() ctx: Context,
    @Arg('asOf', () => DateTimeResolver, { nullable: true, description: 'Default: now.' })
    asOf: Date | null,
    @Arg('recoveryDays', () => Float, {
      nullable: true,
      description: `TTR of a supplier without its own recoveryDays (default ${DEFAULT_RECOVERY_DAYS}).`,
    })
    recoveryDays: number | null,
    @Arg('includeMitigated', () => Boolean, {
      nullable: true,
      description:
        'Count dual-sourced components too, as if the alternatives could not help (default false).',
    })
    includeMitigated: boolean | null,
    @Arg('first', () => Int, { nullable: true, description: 'Only the first rows of the ranking.' })
    first: number | null,
  ): Promise<SupplierRisk[]> {
    const ttr = recoveryDays ?? DEFAULT_RECOVERY_DAYS;
    if (!Number.isFinite(ttr) || ttr < 0 || ttr > ctx.config.SIM_MAX_HORIZON_DAYS) {
      throw badInput(
        `recoveryDays must be between 0 and ${ctx.config.SIM_MAX_HORIZON_DAYS} days (SIM_MAX_HORIZON_DAYS), got ${ttr}`,
      );
    }
    if (first !== null && (first < 0 || first > MAX_FIRST)) {
      throw badInput(`first must be between 0 and ${MAX_FIRST}, got ${first}`);
    }
    // a factory scope ranks the suppliers it sees by what their outage costs its own factories
    // (docs/security.md, "Factory scopes: analyses"): factories share no material in the model,
    // so that is the ranking of its factories' snapshot
    const visible = await ctx.scope.visible();
    const snapshot = await loadScopedSnapshot(ctx.graph, {}, ctx.scope.factoryIds, visible);
    const rows = scopeRisk(
      riskExposure(snapshot, {
        asOfMs: asOf?.getTime() ?? Date.now(),
        recoveryDays: ttr,
        includeMitigated: includeMitigated ?? false,
      }),
      visible,
    );
    return rows.slice(0, first ?? rows.length).map((r) =>
      Object.assign(new SupplierRisk(), {
        supplierId: r.supplierId,
        timeToSurvive: r.timeToSurvive,
        timeToRecover: r.timeToRecover,
        performanceImpact: { revenueLost: r.revenueLost, unitsShort: r.unitsShort },
        riskExposureIndex: r.riskExposureIndex,
        atRisk: r.atRisk,
        components: r.components.map((c) => Object.assign(new RiskComponent(), c)),
      }),
    );
  }

  @FieldResolver(() => Supplier)
  supplier(@Root() row: SupplierRisk, @Ctx() ctx: Context): Promise<Supplier> {
    return twin(ctx, 'Supplier', row.supplierId, Supplier.fromProps);
  }
}

@Resolver(() => RiskComponent)
export class RiskComponentResolver {
  @FieldResolver(() => Factory)
  factory(@Root() row: RiskComponent, @Ctx() ctx: Context): Promise<Factory> {
    return twin(ctx, 'Factory', row.factoryId, Factory.fromProps);
  }

  @FieldResolver(() => Product)
  component(@Root() row: RiskComponent, @Ctx() ctx: Context): Promise<Product> {
    return twin(ctx, 'Product', row.componentId, Product.fromProps);
  }
}
