import type { Log } from './log';

export interface PeriodicOptions {
  /** Names the job in its log lines ("<name> works again"). */
  name: string;
  everyMs: number;
  log: Log;
  /** One run; a rejection is logged (see `failure`) and the next tick tries again. */
  run: () => Promise<void>;
  /** The log line of a failed run. */
  failure: (err: unknown) => string;
}

/**
 * A job of every instance run on a timer (unref'd, so it never keeps the process alive), never two
 * runs at once: the alert sweep, history compaction. Never throws: a failing run is logged once at
 * warn and then at debug until one succeeds, which is logged once at info.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly options: PeriodicOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.options.everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits up to `waitMs` for a run in flight. */
  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private async tick(): Promise<void> {
    const { log, name } = this.options;
    try {
      await this.options.run();
      if (this.failing) log.info(`${name} works again`);
      this.failing = false;
    } catch (err) {
      const message = this.options.failure(err);
      if (this.failing) log.debug(message);
      else log.warn(message);
      this.failing = true;
    }
  }
}
