/**
 * One serialisation per cohort event (docs/live.md, "Cohorts"). graphql-ws stringifies every
 * `next` message it sends, so a result shared by a cohort's N members was turned into JSON N
 * times, the largest per-subscriber cost of a fan-out. Here a shared result is serialised once:
 * graphql-ws's `onNext` hook hands it a small marker in place of the result, graphql-ws
 * stringifies the marker inside its message (`{"id":…,"type":"next","payload":{"__twinFrame":7}}`)
 * and the socket's `send` splices the one JSON text back in place of the marker. What reaches the
 * client is byte for byte what graphql-ws would have sent.
 *
 * graphql-ws stringifies and sends in the same synchronous step, so a marker waits at most that
 * long; `pending` is bounded all the same, for a send that never comes (a socket that closed in
 * between).
 */
const MARKER_KEY = '__twinFrame';
/** GraphQL reserves names starting with `__`: no result of ours has a field of this name. */
const MARKER_TAIL = /"payload":\{"__twinFrame":(\d+)\}\}$/;
const MAX_PENDING = 1000;
/** Client-chosen operation ids longer than this go the ordinary way. */
const MAX_ID_LENGTH = 128;

export class SharedFrames {
  private readonly json = new WeakMap<object, string>();
  private readonly pending = new Map<number, string>();
  private next = 0;
  /** Payloads spliced in instead of stringified again (for the benchmarks and tests). */
  reused = 0;

  constructor(private readonly isShared: (result: object) => boolean) {}

  /**
   * `onNext`: a marker standing for `result` when it is a cohort's shared result without errors
   * (errors are formatted per operation first), else undefined (graphql-ws sends it as usual).
   */
  marker(id: string, result: object): Record<string, number> | undefined {
    if (id.length > MAX_ID_LENGTH || !this.isShared(result) || 'errors' in result) return undefined;
    let json = this.json.get(result);
    if (json === undefined) {
      json = JSON.stringify(result);
      this.json.set(result, json);
    } else {
      this.reused++;
    }
    const n = this.next++;
    this.pending.set(n, json);
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
    return { [MARKER_KEY]: n };
  }

  /** The socket's `send`: a message carrying a marker gets its payload back; others pass as they are. */
  expand(data: string): string {
    if (data.length > MAX_ID_LENGTH * 2 + 64 || !data.endsWith('}}')) return data;
    const tail = MARKER_TAIL.exec(data);
    if (!tail?.[1]) return data;
    const n = Number(tail[1]);
    const json = this.pending.get(n);
    if (json === undefined) return data;
    this.pending.delete(n);
    return `${data.slice(0, tail.index)}"payload":${json}}`;
  }
}
