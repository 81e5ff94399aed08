import { isIP } from 'node:net';
import { z } from 'zod';
import type { GraphSettings } from './graph/executor';
import { type Log, logger } from './log';

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

/** An IP address, or a range of them: CIDR (10.0.0.0/8, fd00::/8) or a netmask (10.0.0.0/255.0.0.0). */
function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined || (family === 4 && isIP(bits) === 4)) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: false (unset), a hop count, or a list of Express's names, addresses and ranges. */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): false | number | string[] => {
    const text = (v ?? '').trim();
    if (text === '' || text === 'false' || text === '0') return false;
    let problem = '';
    if (/^\d+$/.test(text)) {
      if (Number(text) <= 100) return Number(text);
      problem = ' (a hop count is at most 100)';
    } else {
      const entries = text.split(',').map((e) => e.trim());
      const names = ['loopback', 'linklocal', 'uniquelocal'];
      const bad = entries.find((e) => !names.includes(e) && !isAddressOrRange(e));
      if (bad === undefined) return entries;
      problem = ` (not one: "${bad.slice(0, 60)}")`;
    }
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'expected false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, ' +
        `IP addresses and CIDR ranges such as 10.0.0.0/8${problem}; "true" is refused: it would ` +
        "believe any client's own X-Forwarded-For",
    });
    return z.NEVER;
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
  /**
   * Longest one Neo4j transaction of the API may run (ms); Neo4j then stops it and the request
   * fails with code TIMEOUT. 0 sets no limit (the server's db.transaction.timeout still applies).
   * Migrations are not bound by it.
   */
  NEO4J_TX_TIMEOUT_MS: int(30000, 0, 86400000),
  /** Apply pending migrations at start-up (under a lock, so several instances may start together). */
  MIGRATE_ON_START: bool(true),
  /** External MQTT broker; when unset the server embeds one (see MQTT_EMBEDDED_PORT). */
  MQTT_URL: mqttUrl,
  /** Port of the embedded MQTT broker used when MQTT_URL is unset. */
  MQTT_EMBEDDED_PORT: int(1883, 0, 65535),
  /**
   * Address the embedded broker listens on. It has no authentication, so by default only this
   * machine reaches it; `0.0.0.0` opens it to the network (a trusted one: docs/security.md).
   */
  MQTT_EMBEDDED_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Topic prefix of the unified namespace. */
  MQTT_TOPIC_PREFIX: z
    .string()
    .default('twin')
    .refine((v) => /^[^#+/\s][^#+\s]*$/.test(v), {
      message: 'must be a plain topic level without wildcards, e.g. "twin" or "acme/twin"',
    }),
  /** Shared-subscription group of the instances that persist telemetry (each reading written once). */
  MQTT_SHARED_GROUP: z
    .string()
    .default('twin-graph')
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v), { message: 'use letters, digits, - and _ only' }),
  /** Names this instance's persistent MQTT session; unique per instance, stable across restarts. */
  INSTANCE_ID: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[A-Za-z0-9_.-]+$/.test(v), {
      message: 'use letters, digits, ., - and _ only',
    })
    // the history's compacted files are named compact-…: a writer of that name would pass for one
    .refine((v) => v === undefined || !v.startsWith('compact-'), {
      message: 'must not start with "compact-" (the history names its compacted files so)',
    }),
  /** Ingest and store telemetry (false: this instance only serves the API and live events). */
  TELEMETRY_PERSIST: bool(true),
  /** Readings are kept this many hours (older ones are deleted every minute). */
  TELEMETRY_RETENTION_HOURS: int(24, 1, 24 * 365),
  /** Readings stamped further in the future than this are rejected (sender clock skew). */
  TELEMETRY_MAX_FUTURE_MS: int(300000, 0, 86400000),
  /** Readings older than this are rejected (a gateway replaying a long backlog). */
  TELEMETRY_MAX_AGE_HOURS: int(168, 1, 24 * 365),
  /** Larger MQTT payloads are rejected before parsing. */
  TELEMETRY_MAX_PAYLOAD_BYTES: int(131072, 256, 16777216),
  /** A reading waits at most this long in the write buffer. */
  TELEMETRY_FLUSH_MS: int(250, 1, 60000),
  /** Rows per write transaction. */
  TELEMETRY_BATCH_SIZE: int(2000, 1, 100000),
  /** Buffered rows above which ingestion stops reading the broker until Neo4j catches up. */
  TELEMETRY_MAX_BUFFERED: int(50000, 100, 10000000),
  /**
   * The live connection takes every asset's telemetry only while a GraphQL subscription listens
   * to it, and this long after the last one ended (ms), so that subscriptions that come and go
   * do not subscribe and unsubscribe the broker each time.
   */
  LIVE_TELEMETRY_LINGER_MS: int(30000, 0, 86400000),
  /** Where telemetry that could not be written by shutdown is kept for the next start. */
  TELEMETRY_SPILL_DIR: z.string().default('.data/telemetry-spill'),
  /**
   * The asset cache that readings are checked against is reloaded whole this often (0: never),
   * in case a change was missed; changes made through the API or `npm run import` arrive at once.
   */
  TELEMETRY_CACHE_RELOAD_S: int(60, 0, 86400),

  // --- The telemetry journal (docs/mqtt.md#delivery-guarantees) ---
  /**
   * Acknowledge an MQTT message only once its rows are fsync'd in a local write-ahead journal,
   * replayed at start (false: acknowledge once buffered in memory; a crash loses the buffer).
   */
  TELEMETRY_JOURNAL: bool(true),
  /** Folder of the journal; each instance writes in its own sub-folder, named by INSTANCE_ID. */
  TELEMETRY_JOURNAL_DIR: z.string().default('.data/telemetry-journal'),
  /** How long a journal write waits for more messages to share its fsync (group commit, ms). */
  TELEMETRY_JOURNAL_COMMIT_MS: int(2, 0, 1000),

  // --- Long-term telemetry history (docs/history.md) ---
  /** Keep every stored reading in Parquet files beside the graph (HISTORY_DIR), beyond its retention. */
  HISTORY_ENABLED: bool(true),
  /**
   * Folder of the history files (`day=…/factory=…/*.parquet`), shared by every instance (each
   * names its own files); its `_spool/<INSTANCE_ID>` holds readings not yet rolled into files.
   */
  HISTORY_DIR: z.string().default('.data/history'),
  /**
   * How often the spool is rolled into Parquet files (ms); keep it well under half of
   * TELEMETRY_RETENTION_HOURS, which is when readers take the files over from the graph.
   */
  HISTORY_ROLL_MS: int(300000, 1000, 86400000),
  /**
   * How often closed days' files are compacted (ms): each (UTC day, factory) partition whose day
   * ended an hour ago becomes one file. One instance at a time (a lease in the graph).
   */
  HISTORY_COMPACT_MS: int(3600000, 60000, 86400000),

  /** Worker threads of the simulation pool, shared by queries and jobs (0: one per CPU core). */
  SIM_WORKERS: int(0, 0, 256),
  /** Longest horizon a scenario may ask for (days). */
  SIM_MAX_HORIZON_DAYS: int(366, 1, 3660),
  /** Most Monte Carlo runs the `simulate` query accepts; more must run as a job (startSimulation). */
  SIM_QUERY_MAX_RUNS: int(200, 1, 1000000),
  /** Most Monte Carlo runs a saved scenario run as a job may ask for. */
  SIM_JOB_MAX_RUNS: int(10000, 1, 10000000),
  /** A `simulate` query running longer is aborted with code TIMEOUT (ms). */
  SIM_QUERY_TIMEOUT_MS: int(30000, 100, 3600000),
  /** A simulation job running longer is aborted and ends FAILED (seconds). */
  SIM_JOB_TIMEOUT_S: int(3600, 1, 604800),
  /** Most products whose per-step series a result carries (`seriesProductIds`). */
  SIM_MAX_SERIES_PRODUCTS: int(20, 0, 1000),
  /** Simulation jobs running at once on this instance; more wait QUEUED, first come first served. */
  SIM_MAX_CONCURRENT_JOBS: int(2, 1, 64),
  /**
   * How often the time-based alert rules (missing data, late shipments, cover below safety stock,
   * assets DOWN through the API) are evaluated, in seconds; one instance at a time does it.
   */
  ALERT_SWEEP_S: int(10, 1, 3600),
  /**
   * RESOLVED alerts are kept this many days after their resolution, with their webhook deliveries
   * and attempts; older ones are pruned by the alert sweep. Open and acknowledged alerts stay.
   */
  ALERT_RETENTION_DAYS: int(400, 1, 3650),
  /** A webhook delivery attempt that has not answered in this long counts as failed (ms). */
  WEBHOOK_TIMEOUT_MS: int(5000, 100, 120000),
  /** A webhook delivery is retried (with backoff) for this long before it is given up (hours). */
  WEBHOOK_RETRY_HOURS: int(24, 0, 24 * 30),
  /** Longest wait between two attempts of one webhook delivery (seconds). */
  WEBHOOK_MAX_BACKOFF_S: int(300, 1, 86400),
  /** How often due webhook deliveries are looked for (ms). */
  WEBHOOK_POLL_MS: int(1000, 50, 60000),
  /**
   * Asset state changes (the timeline) are kept this many days; older ones are pruned with the
   * telemetry retention (every minute), keeping each asset's latest change before the cutoff.
   */
  TIMELINE_RETENTION_DAYS: int(400, 1, 3650),
  /** Largest page a connection returns; larger `first` values are rejected. */
  MAX_PAGE_SIZE: int(500, 1, 10000),
  /*
   * Limits on what one GraphQL request may ask (docs/security.md, "Limits and hostile input").
   * An operation over a limit is refused before it runs, with code QUERY_TOO_COMPLEX.
   */
  /** Deepest field nesting of an operation; every field level counts, `edges` and `node` too. */
  GRAPHQL_MAX_DEPTH: int(6, 1, 100),
  /** Most aliases in one operation (fragments included). */
  GRAPHQL_MAX_ALIASES: int(15, 0, 1000),
  /** Most lexical tokens in one document; larger documents are refused while parsing. */
  GRAPHQL_MAX_TOKENS: int(1000, 10, 100000),
  /** Largest estimated cost of an operation: page sizes (`first`, `limit`) multiply what they contain. */
  GRAPHQL_MAX_COST: int(5000, 1, 100000000),
  /** How many items a list without a page size is assumed to hold in the cost (e.g. `lines`). */
  GRAPHQL_COST_LIST_SIZE: int(10, 1, 10000),
  /** Answer introspection (`__schema`, `__type`); the playground needs it. Set false in production. */
  GRAPHQL_INTROSPECTION: bool(true),
  /** "Did you mean …" suggestions in error messages; set false in production. */
  GRAPHQL_SUGGESTIONS: bool(true),
  /** Run queries and mutations seen twice as compiled code (graphql-jit); false: graphql-js alone. */
  GRAPHQL_JIT: bool(true),
  /** An HTTP GraphQL operation running longer is cut and answers code TIMEOUT (ms; 0: no limit). */
  GRAPHQL_EXECUTION_TIMEOUT_MS: int(30000, 0, 3600000),
  /** Largest HTTP request body (and graphql-ws message) in bytes; larger ones answer 413. */
  GRAPHQL_MAX_BODY_BYTES: int(1048576, 1024, 1073741824),
  /** Requests (and graphql-ws subscribe messages) one client may send per window (0: no limit). */
  RATE_LIMIT_POINTS: int(600, 0, 10000000),
  /** The rate-limit window, in seconds. */
  RATE_LIMIT_WINDOW_S: int(10, 1, 86400),
  /**
   * Which peers' X-Forwarded-For names the client (Express's `trust proxy`), for rate limits and
   * failed-credential budgets: unset or false, the socket's address; a hop count; or a list of
   * loopback, linklocal, uniquelocal, addresses and CIDR ranges of the proxies (docs/security.md).
   */
  TRUST_PROXY: trustProxy,
  /*
   * Authentication (docs/security.md, "Credentials"): `Authorization: Bearer <key>` on HTTP,
   * `connectionParams.authorization` on graphql-ws.
   */
  /** Without a valid credential a request gets no data (false: anyone acts as admin; never in production). */
  AUTH_REQUIRED: bool(true),
  /** A bootstrap admin credential that is not stored (at least 16 characters); unset: none. */
  TWIN_ADMIN_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || (v.length >= 16 && v.length <= 512 && !/\s/.test(v)), {
      message: 'must be 16 to 512 characters without spaces (e.g. openssl rand -base64 32)',
    }),
  /** How long a key lookup is reused (ms): a revoked key stops working within this. */
  AUTH_CACHE_MS: int(500, 0, 60000),
  /*
   * JWTs from an identity provider (docs/security.md, "JWT from an identity provider"): set
   * JWT_ISSUER and JWT_JWKS_URL together to accept them besides API keys; neither: keys only.
   */
  /** The `iss` a token must carry, e.g. https://login.example.com/realms/plant. */
  JWT_ISSUER: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
  /** Where the provider publishes its signing keys (a JWKS), fetched and cached. */
  JWT_JWKS_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || (URL.canParse(v) && /^https?:\/\/[^\s/]+/.test(v)), {
      message: 'expected an https:// URL such as https://login.example.com/.well-known/jwks.json',
    }),
  /** The `aud` a token must carry; unset: not checked. */
  JWT_AUDIENCE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
  /** The claim naming the token's role (viewer, operator, analyst, admin); without it: refused. */
  JWT_ROLE_CLAIM: z.string().trim().min(1, { message: 'must name a claim' }).default('twin_role'),
  /** The claim listing the factories a token may see; absent from a token: every factory. */
  JWT_FACTORIES_CLAIM: z
    .string()
    .trim()
    .min(1, { message: 'must name a claim' })
    .default('twin_factories'),
  /** Seconds a token is still accepted past its `exp` (and before its `nbf`): clock skew. */
  JWT_CLOCK_TOLERANCE_S: int(30, 0, 600),
  /** A JWKS fetch that has not answered in this long fails; its tokens are refused meanwhile (ms). */
  JWT_JWKS_TIMEOUT_MS: int(5000, 100, 60000),
  /** A token with an unknown key id fetches the JWKS again at most this often (a key rotation). */
  JWT_JWKS_COOLDOWN_S: int(30, 0, 3600),
  /**
   * How long what a factory scope sees is reused (ms): a structure change (a line moved to another
   * factory) reaches scoped keys within this; 0 reads it for every request.
   */
  SCOPE_CACHE_MS: int(1000, 0, 60000),
  /**
   * Events a graphql-ws subscriber may have waiting (docs/live.md, "Slow consumers"): past it the
   * oldest is dropped and the next event says how many it missed (`extensions.missed`).
   */
  SUBSCRIPTION_QUEUE: int(500, 1, 100000),
  /**
   * Bytes a graphql-ws socket may have waiting to be written before its sends wait for the client
   * (docs/live.md): events pipeline below it, a client that does not read falls behind above it.
   */
  SUBSCRIPTION_SOCKET_BUFFER: int(1048576, 0, 1073741824),
  /** Serve the offline GraphiQL playground at `/`. */
  PLAYGROUND: bool(true),
  /**
   * A credential the playground's headers are pre-filled with (`npm start` sets its demo key);
   * unset in production: users paste their own.
   */
  PLAYGROUND_API_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[A-Za-z0-9_.~+/=-]{1,512}$/.test(v), {
      message: 'must be a plain key (letters, digits and _ . ~ + / = -)',
    }),
  /** Serve Prometheus metrics at `/metrics` on the API port (docs/operations.md). */
  METRICS: bool(true),
  /**
   * A static bearer token Prometheus scrapes `/metrics` with (16 to 512 characters); admin keys
   * work too. Unset: only admin keys (with AUTH_REQUIRED=false, anyone).
   */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || (v.length >= 16 && v.length <= 512 && !/\s/.test(v)), {
      message: 'must be 16 to 512 characters without spaces (e.g. openssl rand -base64 32)',
    }),
  /** How long shutdown waits for in-flight requests before closing connections. */
  SHUTDOWN_TIMEOUT_MS: int(10000, 0, 600000),
  /** debug, info, warn, error. */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings that only work together, each problem naming its variables. */
function pairProblems(config: Config): string[] {
  const problems: string[] = [];
  if ((config.JWT_ISSUER === undefined) !== (config.JWT_JWKS_URL === undefined)) {
    const set = config.JWT_ISSUER === undefined ? 'JWT_JWKS_URL' : 'JWT_ISSUER';
    problems.push(
      `JWT_ISSUER, JWT_JWKS_URL (only ${set} set): set both to accept JWTs from an identity provider, or neither`,
    );
  }
  if (config.JWT_AUDIENCE !== undefined && config.JWT_ISSUER === undefined) {
    problems.push('JWT_AUDIENCE (set): needs JWT_ISSUER and JWT_JWKS_URL');
  }
  return problems;
}

/** Parse settings from an environment (defaults to process.env); throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    const pairs = pairProblems(result.data);
    if (pairs.length > 0) throw new ConfigError(pairs);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const shown = value === undefined ? 'unset' : `"${value}"`;
    return `${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** The Neo4j connection the settings name; statements are logged (at debug) to `log`. */
export function graphSettings(config: Config, log: Log = logger('graph')): GraphSettings {
  return {
    uri: config.NEO4J_URI,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    database: config.NEO4J_DATABASE,
    txTimeoutMs: config.NEO4J_TX_TIMEOUT_MS,
    log,
  };
}
