import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Structured logging with pino: JSON lines on stderr when stderr is not a terminal (for log
 * shippers), readable coloured lines when it is. The level comes from LOG_LEVEL (see config.ts)
 * and is read once, when the first logger is made; `setLogLevel` changes it afterwards.
 *
 * Every component logs through a child of one root logger, so a line always says which
 * component wrote it (`component`) and, inside a GraphQL operation, which request (`requestId`).
 */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'isLevelEnabled'> & {
  child(bindings: Record<string, unknown>): Log;
};

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let root: Logger | undefined;
/** Component loggers made so far: a level set later applies to them too. */
const components = new Map<string, Logger>();

function isLogLevel(v: string | undefined): v is LogLevel {
  return LOG_LEVELS.some((l) => l === v);
}

function makeRoot(): Logger {
  const env = process.env['LOG_LEVEL'];
  const level: LogLevel = isLogLevel(env) ? env : 'info';
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (process.stderr.isTTY && process.env['LOG_FORMAT'] !== 'json') {
    return pino(
      options,
      pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', sync: true }),
    );
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

export function rootLogger(): Logger {
  root ??= makeRoot();
  return root;
}

/** Sets the level of every logger (config.ts validates LOG_LEVEL and calls this at start). */
export function setLogLevel(level: LogLevel): void {
  rootLogger().level = level;
  for (const child of components.values()) child.level = level;
}

/** A logger for one component: every line carries `component`. */
export function logger(component: string): Log {
  let child = components.get(component);
  if (!child) {
    child = rootLogger().child({ component });
    components.set(component, child);
  }
  return child;
}

/** For tests and tools that want no output. */
export function silentLog(): Log {
  return pino({ level: 'silent' });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A URL as it may be logged: a password in it (`mqtt://user:secret@host`) becomes `***`. Text that
 * does not parse as a URL has anything between `://` and `@` after a colon masked the same way.
 */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(:\/\/[^/@:\s]*):[^/@\s]*@/, '$1:***@');
  }
}

/** A logger whose messages are collected in `lines` (tests assert what was said). */
export function memoryLog(lines: string[], level: LogLevel = 'debug'): Log {
  return pino(
    { level },
    {
      write(chunk: string) {
        const parsed: unknown = JSON.parse(chunk);
        const msg =
          typeof parsed === 'object' && parsed !== null && 'msg' in parsed ? parsed.msg : chunk;
        lines.push(String(msg));
      },
    },
  );
}
