// One journal cursor per instance: how far its journal run's rows are committed (src/telemetry/replay.ts).
CREATE CONSTRAINT telemetry_journal_cursor_instance IF NOT EXISTS FOR (n:TelemetryJournalCursor) REQUIRE n.instance IS UNIQUE;
