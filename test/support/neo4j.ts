/**
 * Where the tests' Neo4j comes from, in order: NEO4J_URI when set, else Testcontainers when a
 * container engine answers, else the project's own launcher (tools/neo4j-local, from Maven Central).
 */
export interface Neo4jHandle {
  uri: string;
  user: string;
  password: string;
  source: 'env' | 'testcontainers' | 'launcher';
  stop(): Promise<void>;
}

interface LauncherModule {
  startLocalNeo4j(options: {
    dataDir?: string;
    port?: number;
    log?: (message: string) => void;
  }): Promise<{ uri: string; stop: () => Promise<void> }>;
}

function isLauncherModule(value: unknown): value is LauncherModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'startLocalNeo4j' in value &&
    typeof value.startLocalNeo4j === 'function'
  );
}

export async function loadLauncher(root: string): Promise<LauncherModule> {
  const mod: unknown = await import(`${root}/scripts/neo4j-local-lib.mjs`);
  if (!isLauncherModule(mod))
    throw new Error('scripts/neo4j-local-lib.mjs does not export startLocalNeo4j');
  return mod;
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export async function startTestNeo4j(root: string, log: (m: string) => void): Promise<Neo4jHandle> {
  const envUri = process.env['NEO4J_URI'];
  if (envUri) {
    return {
      uri: envUri,
      user: process.env['NEO4J_USER'] ?? 'neo4j',
      password: process.env['NEO4J_PASSWORD'] ?? '',
      source: 'env',
      stop: async () => {},
    };
  }
  if (process.env['TWIN_TEST_NO_DOCKER'] !== '1' && (await dockerAnswers())) {
    const { Neo4jContainer } = await import('@testcontainers/neo4j');
    const container = await new Neo4jContainer('neo4j:5.26-community').start();
    return {
      uri: container.getBoltUri(),
      user: container.getUsername(),
      password: container.getPassword(),
      source: 'testcontainers',
      stop: async () => {
        await container.stop();
      },
    };
  }
  const launcher = await loadLauncher(root);
  const started = await launcher.startLocalNeo4j({ log });
  return { uri: started.uri, user: 'neo4j', password: '', source: 'launcher', stop: started.stop };
}
