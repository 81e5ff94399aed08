// Telemetry: readings are unique per (metric, ts) so redelivered messages do not duplicate.
CREATE CONSTRAINT reading_id IF NOT EXISTS FOR (n:Reading) REQUIRE n.id IS UNIQUE;
CREATE INDEX reading_metric_ts IF NOT EXISTS FOR (n:Reading) ON (n.metricId, n.ts);
CREATE INDEX reading_ts IF NOT EXISTS FOR (n:Reading) ON (n.ts);
CREATE CONSTRAINT rejection_stat_reason IF NOT EXISTS FOR (n:TelemetryRejectionStat) REQUIRE n.reason IS UNIQUE;
CREATE INDEX rejection_received IF NOT EXISTS FOR (n:TelemetryRejection) ON (n.receivedAt);
CREATE INDEX alert_metric_kind IF NOT EXISTS FOR (n:Alert) ON (n.metricId, n.kind);
