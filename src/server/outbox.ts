import { Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * What leaves one graphql-ws client socket (docs/live.md, "Slow consumers"). Cohort members send
 * their events here directly (cohorts.ts); graphql-ws's own messages (results of queries,
 * `complete`, errors) come through its `send`, wrapped here as well. Two things are done for all:
 *
 * - **One system call per socket and turn.** The TCP socket under ws is corked at the first frame
 *   of a turn and uncorked once that turn's callbacks are done, so the frames of one turn leave in
 *   one writev instead of one write each (writev had been a quarter of the server's CPU in the
 *   factory scenario).
 * - **Backpressure at a high-water mark.** While less than `highWater` bytes wait on the socket a
 *   frame is sent at once; past it `ready()` is false, cohort members keep their events in their
 *   bounded queues and are called back when the socket drains, and graphql-ws's own sends wait
 *   for their write. A client that does not read falls behind alone.
 */
export class Outbox {
  private readonly tcp: Socket | undefined;
  private corked = false;
  private readonly waiting = new Set<{ flush(): void }>();

  constructor(
    private readonly socket: WebSocket,
    private readonly highWater: number,
  ) {
    const tcp: unknown = Reflect.get(socket, '_socket');
    this.tcp = tcp instanceof Socket ? tcp : undefined;
    this.tcp?.on('drain', () => this.drained());
    socket.once('close', () => this.waiting.clear());
  }

  /** Whether a frame may go now: the socket is open and has less than the high-water mark waiting. */
  ready(): boolean {
    return this.open() && this.socket.bufferedAmount < this.highWater;
  }

  /** Whether the socket is still open (a frame sent now reaches the client, if it reads). */
  open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one text frame (without waiting for the high-water mark: ask `ready()` first). */
  send(frame: string): void {
    if (!this.open()) return;
    this.cork();
    this.socket.send(frame);
  }

  /** `member.flush()` is called once the socket has drained. */
  waitDrain(member: { flush(): void }): void {
    if (this.open()) this.waiting.add(member);
  }

  /**
   * graphql-ws sends a subscription's events one at a time, each after the previous write was
   * flushed: one event per socket per turn of the event loop. Here its send counts as done at once
   * while the socket is below the high-water mark, so its messages pipeline; past it the send
   * waits for its write.
   */
  wrapSend(): void {
    const send = this.socket.send.bind(this.socket);
    const pipelined = (data: Parameters<WebSocket['send']>[0], ...rest: unknown[]): void => {
      if (this.open()) this.cork();
      const callback = rest.find((r): r is (err?: Error) => void => typeof r === 'function');
      if (callback && this.ready()) {
        send(data);
        callback();
        return;
      }
      Reflect.apply(send, this.socket, [data, ...rest]);
    };
    Reflect.set(this.socket, 'send', pipelined);
  }

  private cork(): void {
    if (this.corked || !this.tcp || this.tcp.destroyed) return;
    this.corked = true;
    this.tcp.cork();
    process.nextTick(() => {
      this.corked = false;
      this.tcp?.uncork();
    });
  }

  private drained(): void {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const member of waiting) {
      // a socket's event listener must not throw (it would take the process down)
      try {
        member.flush();
      } catch {
        this.socket.terminate();
      }
    }
  }
}
