// Saved simulation scenarios and their jobs (docs/simulation.md): one node per scenario, by id;
// the sweeper that marks jobs of stopped instances INTERRUPTED looks them up by status.
CREATE CONSTRAINT scenario_id IF NOT EXISTS FOR (n:Scenario) REQUIRE n.id IS UNIQUE;
CREATE INDEX scenario_status IF NOT EXISTS FOR (n:Scenario) ON (n.status);
