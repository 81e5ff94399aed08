package dev.twingraph.neo4jlocal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.internal.Version;

/**
 * A local Neo4j 5.26 community DBMS for development and tests, without Docker.
 *
 * <p>Embedded DBMS with only the Bolt connector (no HTTP), auth disabled. When the default database
 * is available it prints exactly one line to stdout, {@code NEO4J_READY bolt://host:port}; everything
 * else goes to stderr (kept short) or to {@code <data>/logs/debug.log}.
 *
 * <p>Stops cleanly on SIGTERM/SIGINT (shutdown hook) and, with {@code --exit-on-stdin-eof}, when
 * stdin reaches end of file (so it dies with a parent process that holds the other end of the pipe).
 */
public final class Neo4jLocal {
    private static final String USAGE = String.join(
            "\n",
            "Usage: Neo4jLocal [options]",
            "  --port N              Bolt port on the host (default 7687; 0 = pick a free port)",
            "  --host H              listen address (default 127.0.0.1)",
            "  --data DIR            DBMS home; store in DIR/data, logs in DIR/logs (default .data/neo4j).",
            "                        The same DIR on the next start keeps the data.",
            "  --pagecache SIZE      page cache size, e.g. 128m (default 128m)",
            "  --tx-memory SIZE      cap on memory of all running transactions, e.g. 256m (default: Neo4j's)",
            "  --conf KEY=VALUE      any other Neo4j setting (repeatable), e.g. --conf db.logs.query.enabled=OFF",
            "  --exit-on-stdin-eof   shut down when stdin is closed (use when started by another process)",
            "  --help                this text");

    private static final Object LOCK = new Object();
    private static DatabaseManagementService dbms;
    private static boolean stopping;

    private Neo4jLocal() {}

    public static void main(String[] args) {
        // Keep the real stdout for the protocol line only; anything a library prints goes to stderr.
        PrintStream protocol = System.out;
        System.setOut(System.err);

        Options opts;
        try {
            opts = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("neo4j-local: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (opts.help) {
            System.err.println(USAGE);
            return;
        }

        int javaVersion = Runtime.version().feature();
        if (javaVersion != 17 && javaVersion != 21) {
            System.err.println("neo4j-local: warning: Neo4j 5.26 supports Java 17 and 21; this is Java "
                    + javaVersion + " (set JAVA_HOME to a JDK 17 or 21)");
        }

        Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLocal::shutdown, "neo4j-local-shutdown"));
        if (opts.exitOnStdinEof) {
            startStdinWatch();
        }

        long t0 = System.nanoTime();
        try {
            Path home = opts.data.toAbsolutePath().normalize();
            Files.createDirectories(home);

            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(opts.host, opts.port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false) // dbms.usage_report.enabled
                    .setConfig(GraphDatabaseSettings.pagecache_memory, opts.pagecache)
                    .setConfig(GraphDatabaseSettings.pagecache_warmup_enabled, false)
                    // Dev store: no 256 MiB preallocated transaction log files per database.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 64L * 1024 * 1024)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                    // Bolt's Netty shutdown waits a 5 s quiet period, twice; the databases are already
                    // checkpointed and closed by then, so a short stop is safe for a dev server.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2));
            if (opts.txMemory != null) {
                builder.setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, opts.txMemory);
            }
            if (!opts.conf.isEmpty()) {
                builder.setConfig(resolveRaw(opts.conf));
            }

            DatabaseManagementService service = builder.build();
            synchronized (LOCK) {
                dbms = service;
                if (stopping) {
                    // A signal arrived while starting: the hook found nothing to stop, so stop here.
                    service.shutdown();
                    return;
                }
            }

            GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
                throw new IllegalStateException("database 'neo4j' did not become available within 2 minutes");
            }
            HostnamePort bolt = ((GraphDatabaseAPI) db)
                    .getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT);
            if (bolt == null) {
                throw new IllegalStateException("Bolt connector did not register a local address");
            }

            System.err.printf(
                    "neo4j-local: Neo4j %s community, home %s (logs in %s), started in %d ms%n",
                    Version.getNeo4jVersion(),
                    home,
                    home.resolve("logs"),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            protocol.println("NEO4J_READY bolt://" + bolt.getHost() + ":" + bolt.getPort());
            protocol.flush();
            // The DBMS threads are non-daemon: main returns and the JVM lives until shutdown.
        } catch (Throwable e) {
            // First line: the root cause (what to fix); then the chain, one line per cause. The full
            // stack trace is in <data>/logs/debug.log when Neo4j got far enough to open it.
            System.err.println("neo4j-local: failed to start: " + rootCause(e));
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                System.err.println("  " + t.getClass().getName() + ": " + t.getMessage());
            }
            // Runs the shutdown hook, which stops whatever part of the DBMS did start.
            System.exit(1);
        }
    }

    private static void shutdown() {
        DatabaseManagementService service;
        synchronized (LOCK) {
            stopping = true;
            service = dbms;
            dbms = null;
        }
        if (service == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            service.shutdown();
            System.err.printf(
                    "neo4j-local: stopped in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (Throwable e) {
            System.err.println("neo4j-local: error during shutdown: " + describe(e));
        }
    }

    private static void startStdinWatch() {
        Thread watch = new Thread(
                () -> {
                    byte[] buf = new byte[256];
                    try {
                        InputStream in = System.in;
                        while (in.read(buf) != -1) {
                            // Input is ignored; only end of file matters.
                        }
                    } catch (IOException ignored) {
                        // A broken stdin counts as closed.
                    }
                    System.err.println("neo4j-local: stdin closed, shutting down");
                    System.exit(0);
                },
                "neo4j-local-stdin-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** Turns KEY=VALUE strings into typed settings, with Neo4j's own parsing and validation. */
    private static Map<Setting<?>, Object> resolveRaw(Map<String, String> raw) {
        Config parsed = Config.newBuilder().setRaw(raw).build();
        Map<String, Setting<Object>> declared = parsed.getDeclaredSettings();
        Map<Setting<?>, Object> typed = new HashMap<>();
        for (String key : raw.keySet()) {
            Setting<Object> setting = declared.get(key);
            if (setting == null) {
                throw new IllegalArgumentException("unknown Neo4j setting: " + key);
            }
            typed.put(setting, parsed.get(setting));
        }
        return typed;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The innermost cause, plus the one above it when that one says more (e.g. which port). */
    private static String rootCause(Throwable e) {
        Throwable parent = null;
        Throwable t = e;
        for (int depth = 0; t.getCause() != null && t.getCause() != t && depth < 20; depth++) {
            parent = t;
            t = t.getCause();
        }
        String msg = describe(t);
        if (parent != null && parent != e && parent.getMessage() != null) {
            msg += " (" + parent.getMessage() + ")";
        }
        return msg;
    }

    private static final class Options {
        int port = 7687;
        String host = "127.0.0.1";
        Path data = Path.of(".data", "neo4j");
        long pagecache = 128L * 1024 * 1024;
        Long txMemory;
        final Map<String, String> conf = new LinkedHashMap<>();
        boolean exitOnStdinEof;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> rest = new ArrayList<>(List.of(args));
            while (!rest.isEmpty()) {
                String arg = rest.remove(0);
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "--port" -> {
                        String v = value(arg, value, rest);
                        try {
                            o.port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port needs a number, got " + v);
                        }
                        if (o.port < 0 || o.port > 65535) {
                            throw new IllegalArgumentException("--port out of range: " + o.port);
                        }
                    }
                    case "--host" -> o.host = value(arg, value, rest);
                    case "--data" -> o.data = Path.of(value(arg, value, rest));
                    case "--pagecache" -> o.pagecache = bytes(arg, value(arg, value, rest));
                    case "--tx-memory" -> o.txMemory = bytes(arg, value(arg, value, rest));
                    case "--conf" -> {
                        String kv = value(arg, value, rest);
                        int i = kv.indexOf('=');
                        if (i <= 0) {
                            throw new IllegalArgumentException("--conf needs KEY=VALUE, got " + kv);
                        }
                        o.conf.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
                    }
                    case "--exit-on-stdin-eof" -> o.exitOnStdinEof = true;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            return o;
        }

        private static String value(String flag, String inline, List<String> rest) {
            if (inline != null) {
                return inline;
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return rest.remove(0);
        }

        private static long bytes(String flag, String v) {
            try {
                return SettingValueParsers.BYTES.parse(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(flag + ": not a size: " + v);
            }
        }
    }
}
