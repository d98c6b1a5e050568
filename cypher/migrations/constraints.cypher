// The schema: uniqueness on every id and external id, indexes for every lookup the queries use.
// Idempotent (IF NOT EXISTS). Unlike the other files this holds several statements, one per
// line-ending `;`, which src/db/migrate.ts runs one by one.
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT user_external_id IF NOT EXISTS FOR (n:User) REQUIRE n.externalId IS UNIQUE;
CREATE CONSTRAINT app_id IF NOT EXISTS FOR (n:App) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT app_external_id IF NOT EXISTS FOR (n:App) REQUIRE n.externalId IS UNIQUE;
CREATE CONSTRAINT entitlement_id IF NOT EXISTS FOR (n:Entitlement) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT entitlement_external_id IF NOT EXISTS FOR (n:Entitlement) REQUIRE n.externalId IS UNIQUE;
CREATE CONSTRAINT grant_id IF NOT EXISTS FOR (n:Grant) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT grant_key IF NOT EXISTS FOR (n:Grant) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT policy_id IF NOT EXISTS FOR (n:Policy) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT profile_id IF NOT EXISTS FOR (n:AccessProfile) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT task_open_key IF NOT EXISTS FOR (n:Task) REQUIRE n.openKey IS UNIQUE;
CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT sync_lease_profile IF NOT EXISTS FOR (n:SyncLease) REQUIRE n.profileId IS UNIQUE;
CREATE CONSTRAINT event_seq IF NOT EXISTS FOR (n:Event) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT audit_entry_seq IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (n:Counter) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.hash IS UNIQUE;
CREATE CONSTRAINT settings_id IF NOT EXISTS FOR (n:Settings) REQUIRE n.id IS UNIQUE;
CREATE INDEX audit_pending_at IF NOT EXISTS FOR (n:AuditPending) ON (n.at);
CREATE INDEX audit_pending_unit IF NOT EXISTS FOR (n:AuditPending) ON (n.unitId);
CREATE INDEX event_pending_stamp IF NOT EXISTS FOR (n:EventPending) ON (n.stamp);
CREATE INDEX event_pending_unit IF NOT EXISTS FOR (n:EventPending) ON (n.unitId);
CREATE INDEX user_email IF NOT EXISTS FOR (n:User) ON (n.email);
CREATE INDEX user_display_name IF NOT EXISTS FOR (n:User) ON (n.displayName);
CREATE INDEX entitlement_kind IF NOT EXISTS FOR (n:Entitlement) ON (n.kind);
CREATE INDEX task_state IF NOT EXISTS FOR (n:Task) ON (n.state);
CREATE INDEX sync_run_state IF NOT EXISTS FOR (n:SyncRun) ON (n.state);
CREATE INDEX profile_automation IF NOT EXISTS FOR (n:AccessProfile) ON (n.automationEnabled);
CREATE INDEX task_open_on IF NOT EXISTS FOR (n:Task) ON (n.openOn);
// Open tasks are found by their entitlement through openOn; before it, through a text index on
// openKey, whose upkeep tripled the cost of committing a batch of tasks. Open tasks made before
// openOn get it here (once: those without it), then the text index goes.
MATCH (t:Task) WHERE t.openKey IS NOT NULL AND t.openOn IS NULL CALL { WITH t SET t.openOn = split(t.openKey, '|')[2] } IN TRANSACTIONS OF 10000 ROWS;
DROP INDEX task_open_key_text IF EXISTS;
// Pending events used to be one node per event (type, taskId, ... as plain properties); a write
// now holds its events as lists on one node (db/finish-write). Events an older instance left
// pending become such a node of one event each, at their own ordinal.
MATCH (e:EventPending) WHERE e.types IS NULL SET e.count = 1, e.types = [e.type], e.taskIds = [coalesce(e.taskId, '')], e.runIds = [coalesce(e.runId, '')], e.profileIds = [coalesce(e.profileId, '')], e.userIds = [coalesce(e.userId, '')], e.payloads = [coalesce(e.payload, '')] REMOVE e.type, e.taskId, e.runId, e.profileId, e.userId, e.payload;
