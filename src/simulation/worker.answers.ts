import { KPI_NAMES, type Kpis, type RunDetail, type RunKpis } from './model';

/*
 * A worker's answer is data from another thread (and, after a deploy, possibly from another
 * build): the pool checks its shape before it is believed, rather than letting a malformed value
 * end up in a stored result. These checks are for the shapes only; the values are the engine's.
 */

/** What the worker answers for a detail request (worker.ts). */
export interface DetailAnswer {
  /** The run with the scenario's changes, with its details. */
  detail: RunDetail;
  /** The KPIs of the same run without the changes; null when they were not asked for. */
  baseline: Kpis | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isKpis(value: unknown): value is Kpis {
  return isRecord(value) && KPI_NAMES.every((name) => typeof value[name] === 'number');
}

export function isRunKpisList(value: unknown): value is RunKpis[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        isRecord(item) &&
        Number.isInteger(item['run']) &&
        isKpis(item['kpis']) &&
        isKpis(item['baseline']),
    )
  );
}

/** The fields of one kind of detail row, by type. */
interface RowShape {
  strings: readonly string[];
  numbers: readonly string[];
  numberLists?: readonly string[];
}

/** A plain loop: a series of a year in hourly steps has thousands of values per list. */
function isNumberList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  const list: unknown[] = value;
  for (let i = 0; i < list.length; i += 1) if (typeof list[i] !== 'number') return false;
  return true;
}

function isRows(value: unknown, shape: RowShape): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (row: unknown) =>
        isRecord(row) &&
        shape.strings.every((name) => typeof row[name] === 'string') &&
        shape.numbers.every((name) => typeof row[name] === 'number') &&
        (shape.numberLists ?? []).every((name) => isNumberList(row[name])),
    )
  );
}

/** The rows of a RunDetail, as model.ts declares them. */
const DETAIL_ROWS: Record<Exclude<keyof RunDetail, 'kpis'>, RowShape> = {
  inventory: {
    strings: ['factoryId', 'productId'],
    numbers: ['start', 'end', 'received', 'produced', 'consumed', 'shipped', 'min'],
  },
  production: { strings: ['lineId', 'productId'], numbers: ['units', 'capacityUnits'] },
  stockouts: { strings: ['factoryId', 'productId'], numbers: ['fromDay', 'days'] },
  lateOrders: { strings: ['orderId'], numbers: ['daysLate', 'unitsShort', 'unitsUndelivered'] },
  series: {
    strings: ['factoryId', 'productId'],
    numbers: [],
    numberLists: ['day', 'inventory', 'produced', 'consumed', 'received', 'shipped'],
  },
};

export function isRunDetail(value: unknown): value is RunDetail {
  return (
    isRecord(value) &&
    isKpis(value['kpis']) &&
    Object.entries(DETAIL_ROWS).every(([name, shape]) => isRows(value[name], shape))
  );
}

export function isDetailAnswer(value: unknown): value is DetailAnswer {
  return (
    isRecord(value) &&
    isRunDetail(value['detail']) &&
    (value['baseline'] === null || isKpis(value['baseline']))
  );
}
