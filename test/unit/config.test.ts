import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  const base = { NEO4J_URI: 'bolt://localhost:7687' };

  it('when only NEO4J_URI is set, then every other setting takes its documented default', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      PORT: 4000,
      NEO4J_DATABASE: 'neo4j',
      MIGRATE_ON_START: true,
      MQTT_TOPIC_PREFIX: 'twin',
      MQTT_EMBEDDED_HOST: '127.0.0.1',
      MAX_PAGE_SIZE: 500,
      SIM_WORKERS: 0,
      SIM_MAX_HORIZON_DAYS: 366,
      SIM_QUERY_MAX_RUNS: 200,
      SIM_JOB_MAX_RUNS: 10000,
      SIM_QUERY_TIMEOUT_MS: 30000,
      SIM_JOB_TIMEOUT_S: 3600,
      SIM_MAX_SERIES_PRODUCTS: 20,
      SIM_MAX_CONCURRENT_JOBS: 2,
    });
    expect(config.MQTT_URL).toBeUndefined();
  });

  it('when PORT is not a number, then the error names PORT, its value and what is expected', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(
      /PORT \("eighty"\): expected an integer between 0 and 65535/,
    );
  });

  it('when INSTANCE_ID starts with "compact-", then it is refused (the history names its compacted files so)', () => {
    expect(() => loadConfig({ ...base, INSTANCE_ID: 'compact-1' })).toThrow(
      /INSTANCE_ID \("compact-1"\): must not start with "compact-"/,
    );
    expect(loadConfig({ ...base, INSTANCE_ID: 'api-compact-1' }).INSTANCE_ID).toBe('api-compact-1');
  });

  it('when several values are wrong, then every one is listed', () => {
    try {
      loadConfig({ PORT: '99999', MQTT_URL: 'localhost:1883', MIGRATE_ON_START: 'maybe' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = err instanceof ConfigError ? err.problems.join('\n') : '';
      expect(problems).toMatch(/^PORT \("99999"\)/m);
      expect(problems).toMatch(/^NEO4J_URI \(unset\): is required/m);
      expect(problems).toMatch(/^MQTT_URL \("localhost:1883"\): expected an mqtt:\/\//m);
      expect(problems).toMatch(/^MIGRATE_ON_START \("maybe"\)/m);
    }
  });
});
