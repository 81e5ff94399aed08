/** Minimal structured-enough logging to stderr; one line per event. */
export type Log = (message: string) => void;

export function logger(component: string): Log {
  return (message) => {
    process.stderr.write(`${new Date().toISOString()} [${component}] ${message}\n`);
  };
}
