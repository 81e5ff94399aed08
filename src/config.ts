import { z } from 'zod';

/**
 * Every setting of the server, read from environment variables once at start.
 * A missing or malformed value stops the start with a message naming the variable,
 * so a typo in a deployment fails loudly instead of running with a surprise default.
 */
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      errorMap: () => ({ message: 'expected one of true, false, 1, 0, yes, no' }),
    })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `expected an integer between ${min} and ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const neo4jUri = z
  .string({
    required_error: 'is required (e.g. bolt://localhost:7687); `npm start` sets it for you',
  })
  .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s]+$/, {
    message: 'expected a bolt:// or neo4j:// URI such as bolt://localhost:7687',
  });

const mqttUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .refine((v) => v === undefined || /^(mqtts?|wss?|tcp):\/\/[^\s]+$/.test(v), {
    message: 'expected an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://localhost:1883',
  });

/** The documented schema: variable name → meaning, default. Kept in the README too. */
export const configSchema = z.object({
  /** HTTP and WebSocket port of the API (GraphQL at /graphql, playground at /). */
  PORT: int(4000, 0, 65535),
  /** Interface to listen on. */
  HOST: z.string().default('0.0.0.0'),
  /** Bolt URI of Neo4j. Required by the server; `npm start` starts a local Neo4j when it is unset. */
  NEO4J_URI: neo4jUri,
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  /** Database name, always passed to sessions (saves the driver a round trip per session). */
  NEO4J_DATABASE: z.string().min(1).default('neo4j'),
  /** Apply pending migrations at start-up (under a lock, so several instances may start together). */
  MIGRATE_ON_START: bool(true),
  /** External MQTT broker; when unset the server embeds one (see MQTT_EMBEDDED_PORT). */
  MQTT_URL: mqttUrl,
  /** Port of the embedded MQTT broker used when MQTT_URL is unset. */
  MQTT_EMBEDDED_PORT: int(1883, 0, 65535),
  /** Topic prefix of the unified namespace. */
  MQTT_TOPIC_PREFIX: z
    .string()
    .default('twin')
    .refine((v) => /^[^#+/\s][^#+\s]*$/.test(v), {
      message: 'must be a plain topic level without wildcards, e.g. "twin" or "acme/twin"',
    }),
  /** Largest page a connection returns; larger `first` values are rejected. */
  MAX_PAGE_SIZE: int(500, 1, 10000),
  /** Serve the offline GraphiQL playground at `/`. */
  PLAYGROUND: bool(true),
  /** How long shutdown waits for in-flight requests before closing connections. */
  SHUTDOWN_TIMEOUT_MS: int(10000, 0, 600000),
  /** debug, info, warn, error. */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse settings from an environment (defaults to process.env); throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const shown = value === undefined ? 'unset' : `"${value}"`;
    return `${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(problems);
}
