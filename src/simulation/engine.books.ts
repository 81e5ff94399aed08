import { cmp, type CompiledModel } from './compile';
import type { Kpis, LateOrder, SeriesRow, Stockout } from './model';

/*
 * The engine's bookkeeping over a run (engine.ts runs the steps): stockout runs, the order book,
 * and the per-step series a client asked for.
 */

/** Shares below this are rounding, not shortage. */
export const EPS = 1e-9;

/** Runs of consecutive steps in which a slot was short (components for production, or goods for due orders). */
export class StockoutTracker {
  private readonly open = new Map<number, number>();
  private readonly marked = new Set<number>();
  private readonly done: { slot: number; from: number; to: number }[] = [];
  constructor(private readonly model: CompiledModel) {}

  mark(slot: number): void {
    this.marked.add(slot);
  }

  endStep(k: number): void {
    for (const [slot, from] of this.open) {
      if (!this.marked.has(slot)) {
        this.done.push({ slot, from, to: k });
        this.open.delete(slot);
      }
    }
    for (const slot of this.marked) if (!this.open.has(slot)) this.open.set(slot, k);
    this.marked.clear();
  }

  rows(): Stockout[] {
    const { model } = this;
    const hour = (k: number) =>
      k >= model.steps ? model.horizonHours : (model.stepStarts[k] ?? 0);
    return this.done
      .map((r) => ({
        factoryId: model.slotFactory[r.slot] ?? '',
        productId: model.slotProduct[r.slot] ?? '',
        fromDay: hour(r.from) / 24,
        days: (hour(r.to) - hour(r.from)) / 24,
      }))
      .sort(
        (x, y) =>
          cmp(x.factoryId, y.factoryId) || cmp(x.productId, y.productId) || x.fromDay - y.fromDay,
      );
  }
}

/** Orders filled from finished goods, earliest due first; one that cannot be filled waits (a backorder). */
export class OrderBook {
  private readonly remaining: Float64Array[];
  private readonly onTime: Float64Array[];
  private readonly completed: Int32Array[];
  private readonly next: Int32Array;
  constructor(
    private readonly model: CompiledModel,
    private readonly withChanges: boolean,
  ) {
    const quantity = (o: { quantityBase: number; quantityChanged: number }) =>
      withChanges ? o.quantityChanged : o.quantityBase;
    this.remaining = model.orderGroups.map((g) => Float64Array.from(g.map(quantity)));
    this.onTime = model.orderGroups.map((g) => new Float64Array(g.length));
    this.completed = model.orderGroups.map((g) => new Int32Array(g.length).fill(-1));
    this.next = new Int32Array(model.orderGroups.length);
  }

  serve(k: number, inv: Float64Array, shipped: Float64Array, stockouts: StockoutTracker): void {
    const groups = this.model.orderGroups;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] ?? [];
      const remaining = this.remaining[g] ?? new Float64Array(0);
      let i = this.next[g] ?? 0;
      while (i < group.length) {
        const order = group[i];
        if (order === undefined || order.dueStep > k) break;
        const s = order.slot;
        const ship = Math.min(remaining[i] ?? 0, inv[s] ?? 0);
        inv[s] = (inv[s] ?? 0) - ship;
        shipped[s] = (shipped[s] ?? 0) + ship;
        remaining[i] = (remaining[i] ?? 0) - ship;
        if (order.dueStep === k) (this.onTime[g] ?? [])[i] = ship;
        const whole = this.withChanges ? order.quantityChanged : order.quantityBase;
        if ((remaining[i] ?? 0) > EPS * Math.max(1, whole)) {
          stockouts.mark(s);
          break;
        }
        remaining[i] = 0;
        (this.completed[g] ?? [])[i] = k;
        i++;
      }
      this.next[g] = i;
    }
  }

  kpis(): Omit<Kpis, 'unitsProduced'> {
    let due = 0;
    let onTime = 0;
    let unitsShort = 0;
    let lateOrders = 0;
    let revenueLost = 0;
    this.model.orderGroups.forEach((group, g) => {
      group.forEach((order, i) => {
        const quantity = this.withChanges ? order.quantityChanged : order.quantityBase;
        const inTime = this.onTime[g]?.[i] ?? 0;
        due += quantity;
        onTime += inTime;
        // short = not there when due: a late unit counts as a lost sale (docs/simulation.md)
        const short = Math.max(0, quantity - inTime);
        unitsShort += short;
        revenueLost += short * order.unitPrice;
        if ((this.completed[g]?.[i] ?? -1) !== order.dueStep) lateOrders++;
      });
    });
    return { fillRate: due > 0 ? onTime / due : 1, unitsShort, lateOrders, revenueLost };
  }

  late(): LateOrder[] {
    const { model } = this;
    const rows: LateOrder[] = [];
    model.orderGroups.forEach((group, g) => {
      group.forEach((order, i) => {
        const done = this.completed[g]?.[i] ?? -1;
        if (done === order.dueStep) return;
        const dueHour = model.stepStarts[order.dueStep] ?? 0;
        const endHour = done < 0 ? model.horizonHours : (model.stepStarts[done] ?? 0);
        const quantity = this.withChanges ? order.quantityChanged : order.quantityBase;
        rows.push({
          orderId: order.id,
          daysLate: (endHour - dueHour) / 24,
          unitsShort: Math.max(0, quantity - (this.onTime[g]?.[i] ?? 0)),
          unitsUndelivered: this.remaining[g]?.[i] ?? 0,
        });
      });
    });
    return rows.sort((x, y) => cmp(x.orderId, y.orderId));
  }
}

/** Per-step values of the slots whose product a client asked for. */
export class SeriesRecorder {
  private readonly rowsBySlot: SeriesRow[];
  private readonly mark: Float64Array;
  constructor(private readonly model: CompiledModel) {
    this.rowsBySlot = model.seriesSlots.map((s) => ({
      factoryId: model.slotFactory[s] ?? '',
      productId: model.slotProduct[s] ?? '',
      day: [],
      inventory: [],
      produced: [],
      consumed: [],
      received: [],
      shipped: [],
    }));
    this.mark = new Float64Array(model.seriesSlots.length * 4);
  }

  before(
    received: Float64Array,
    produced: Float64Array,
    consumed: Float64Array,
    shipped: Float64Array,
  ): void {
    this.model.seriesSlots.forEach((s, i) => {
      this.mark[4 * i] = received[s] ?? 0;
      this.mark[4 * i + 1] = produced[s] ?? 0;
      this.mark[4 * i + 2] = consumed[s] ?? 0;
      this.mark[4 * i + 3] = shipped[s] ?? 0;
    });
  }

  after(
    k: number,
    inv: Float64Array,
    received: Float64Array,
    produced: Float64Array,
    consumed: Float64Array,
    shipped: Float64Array,
  ): void {
    this.model.seriesSlots.forEach((s, i) => {
      const row = this.rowsBySlot[i];
      if (row === undefined) return;
      row.day.push((this.model.stepStarts[k] ?? 0) / 24);
      row.inventory.push(inv[s] ?? 0);
      row.received.push((received[s] ?? 0) - (this.mark[4 * i] ?? 0));
      row.produced.push((produced[s] ?? 0) - (this.mark[4 * i + 1] ?? 0));
      row.consumed.push((consumed[s] ?? 0) - (this.mark[4 * i + 2] ?? 0));
      row.shipped.push((shipped[s] ?? 0) - (this.mark[4 * i + 3] ?? 0));
    });
  }

  rows(): SeriesRow[] {
    return this.rowsBySlot;
  }
}
