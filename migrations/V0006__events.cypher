// Event management (docs/alerts.md): alert rules as data, alerts with a lifecycle, webhook
// deliveries that survive a restart, and the asset state timeline.
CREATE CONSTRAINT alert_rule_id IF NOT EXISTS FOR (n:AlertRule) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT alert_id IF NOT EXISTS FOR (n:Alert) REQUIRE n.id IS UNIQUE;
// One open alert per rule and subject: `openKey` is set while the alert is open and removed when
// it is resolved, so the database itself refuses a second open alert (two instances racing).
CREATE CONSTRAINT alert_open_key IF NOT EXISTS FOR (n:Alert) REQUIRE n.openKey IS UNIQUE;
CREATE INDEX alert_raised IF NOT EXISTS FOR (n:Alert) ON (n.raisedAt);
CREATE INDEX alert_factory IF NOT EXISTS FOR (n:Alert) ON (n.factoryId);
CREATE INDEX alert_asset IF NOT EXISTS FOR (n:Alert) ON (n.assetId);
CREATE INDEX alert_state IF NOT EXISTS FOR (n:Alert) ON (n.state);
CREATE INDEX alert_rule IF NOT EXISTS FOR (n:Alert) ON (n.ruleId);
CREATE CONSTRAINT alert_delivery_id IF NOT EXISTS FOR (n:AlertDelivery) REQUIRE n.id IS UNIQUE;
CREATE INDEX alert_delivery_due IF NOT EXISTS FOR (n:AlertDelivery) ON (n.state, n.nextAttemptAt);
CREATE INDEX alert_delivery_alert IF NOT EXISTS FOR (n:AlertDelivery) ON (n.alertId);
CREATE INDEX alert_delivery_created IF NOT EXISTS FOR (n:AlertDelivery) ON (n.createdAt);
CREATE CONSTRAINT state_change_id IF NOT EXISTS FOR (n:StateChange) REQUIRE n.id IS UNIQUE;
CREATE INDEX state_change_asset_at IF NOT EXISTS FOR (n:StateChange) ON (n.assetId, n.at);
CREATE INDEX state_change_at IF NOT EXISTS FOR (n:StateChange) ON (n.at);
CREATE CONSTRAINT lease_name IF NOT EXISTS FOR (n:Lease) REQUIRE n.name IS UNIQUE;
