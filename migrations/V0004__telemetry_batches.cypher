// Telemetry batches written, by id: a spilled batch replayed after it was also committed is skipped.
CREATE CONSTRAINT telemetry_batch_id IF NOT EXISTS FOR (n:TelemetryBatch) REQUIRE n.id IS UNIQUE;
CREATE INDEX telemetry_batch_at IF NOT EXISTS FOR (n:TelemetryBatch) ON (n.at);
