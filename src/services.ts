/**
 * The composition root: every service one API instance runs, built once at start in dependency
 * order, each given only what it uses, and shared by every request. Nothing registers itself;
 * what is wired to what is read here, top to bottom.
 */
import { AnalysisService } from './analysis/service.js';
import { AuditService } from './audit/service.js';
import { appendAudit } from './audit/trail.js';
import { AuthService } from './auth/tokens.js';
import type { Viewer } from './auth/viewer.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { IngestService } from './directory/ingest.js';
import { DirectoryQueries } from './directory/queries.js';
import { InProcessBus, RedisBus, type EventBus } from './events/bus.js';
import { appendEvents } from './events/log.js';
import { EventStream } from './events/stream.js';
import type { Logger } from './logger.js';
import { WebhookNotifier } from './notify/webhook.js';
import { ProfileService } from './profiles/service.js';
import { SettingsService } from './settings/service.js';
import { SyncService } from './sync/service.js';
import { SyncTriggers } from './sync/triggers.js';
import { TaskService } from './tasks/service.js';
import { WorkflowService } from './workflow/service.js';

/** What follows a change of a profile's items or automation (the workflow's and the sync's part). */
export interface ProfileEvents {
  itemsAdded(profileId: string, entitlementIds: string[], requestForMembers: boolean, actor: Viewer | null): Promise<void>;
  itemsRemoved(profileId: string, entitlementIds: string[], actor: Viewer | null): Promise<void>;
  automationSaved(profileId: string, enabled: boolean, exclusions: { excludedAdded: string[]; excludedRemoved: string[] }, actor: Viewer | null): Promise<void>;
}

export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  settings: SettingsService;
  auth: AuthService;
  ingest: IngestService;
  /** The directory's lists and lookups by external id. */
  directory: DirectoryQueries;
  profiles: ProfileService;
  tasks: TaskService;
  workflow: WorkflowService;
  sync: SyncService;
  syncTriggers: SyncTriggers;
  audit: AuditService;
  analysis: AnalysisService;
  /** Live delivery of the event log on this instance. */
  eventStream: EventStream;
  /** Posts paused syncs to NOTIFY_WEBHOOK_URL; null when it is not set. */
  notifier: WebhookNotifier | null;
  profileEvents: ProfileEvents;
  /** Background work (schedulers, delivery) stops through these on shutdown, in order. */
  stoppers: (() => Promise<void>)[];
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  // Every write appends what its unit of work recorded: the events, then the audit entries (last,
  // so that the chain's lock is held the shortest time). After it commits, event delivery starts
  // and the sync triggers follow the entitlements whose holders it changed (both wired below).
  db.finishWritesWith(appendEvents);
  db.finishWritesWith(appendAudit);

  const settings = new SettingsService(db, config);
  const auth = new AuthService(db, config.adminToken);
  const ingest = new IngestService(db);
  const directory = new DirectoryQueries(db);
  const profiles = new ProfileService(db);
  const tasks = new TaskService(db, config.workflowDefaults);
  const workflow = new WorkflowService(db, tasks);
  const sync = new SyncService({ db, config, logger, settings, tasks });
  const syncTriggers = new SyncTriggers({ db, config, logger }, sync);
  const audit = new AuditService(db);
  const analysis = new AnalysisService(db, settings);

  const bus: EventBus = config.redisUrl ? new RedisBus(config.redisUrl, logger) : new InProcessBus();
  const { pollMs, retentionHours, notifyBaseDelayMs } = config.events;
  const eventStream = new EventStream(db, bus, logger, { pollMs, retentionMs: retentionHours * 3600_000 });
  // Delivery starts as soon as a write that recorded events commits (the poll is the safety net).
  db.onCommitted((unit) => {
    if (unit.events.length > 0) eventStream.committed();
  });
  const notifier = config.notifyWebhookUrl
    ? new WebhookNotifier(db, logger, { url: config.notifyWebhookUrl, publicUrl: config.publicUrl, baseDelayMs: notifyBaseDelayMs })
    : null;
  if (notifier) eventStream.onDelivery((deliveries) => notifier.delivered(deliveries));

  const profileEvents: ProfileEvents = {
    itemsAdded: (profileId, entitlementIds, requestForMembers, actor) => workflow.itemsAdded(profileId, entitlementIds, requestForMembers, actor),
    itemsRemoved: (profileId, entitlementIds, actor) => workflow.itemsRemoved(profileId, entitlementIds, actor),
    automationSaved: (profileId, enabled, exclusions, actor) => sync.automationSaved(profileId, enabled, exclusions, actor, (id) => syncTriggers.requestSync(id)),
  };
  syncTriggers.start();
  const stoppers = [
    () => syncTriggers.stop(),
    async () => {
      await notifier?.stop();
      await eventStream.stop();
    },
  ];
  return { config, db, logger, settings, auth, ingest, directory, profiles, tasks, workflow, sync, syncTriggers, audit, analysis, eventStream, notifier, profileEvents, stoppers };
}
