/**
 * The composition root: every service one API instance runs, built once at start in dependency
 * order, each given only what it uses, and shared by every request. Nothing registers itself;
 * what is wired to what is read here, top to bottom.
 */
import { AnalysisService } from './analysis/service.js';
import { AuditService } from './audit/service.js';
import { AuditSealer } from './audit/sealer.js';
import { recordsAudit } from './audit/trail.js';
import { AuthService } from './auth/tokens.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { IngestService } from './directory/ingest.js';
import { DirectoryQueries } from './directory/queries.js';
import { InProcessBus, RedisBus, type EventBus } from './events/bus.js';
import { finishWrite } from './finish-write.js';
import { EventSequencer } from './events/sequencer.js';
import { EventStream } from './events/stream.js';
import type { Logger } from './logger.js';
import { ViewerRateLimits } from './security/rate-limit.js';
import { WebhookNotifier } from './notify/webhook.js';
import { MembershipService } from './profiles/membership.js';
import { MissingAccessService } from './profiles/missing-access.js';
import { ProfileService } from './profiles/service.js';
import { SettingsService } from './settings/service.js';
import { SyncService } from './sync/runner.js';
import { SyncTriggers } from './sync/triggers.js';
import { WorkflowService } from './workflow/service.js';
import { TaskService } from './workflow/tasks.js';

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
  /** Manual enrollment and unenrollment, exclusions, saving the automation. */
  membership: MembershipService;
  /** Grant tasks for the items members lack (requestMissingAccess). */
  missingAccess: MissingAccessService;
  tasks: TaskService;
  workflow: WorkflowService;
  sync: SyncService;
  syncTriggers: SyncTriggers;
  audit: AuditService;
  analysis: AnalysisService;
  /** Gives the events writes recorded pending their seqs, after commit. */
  eventSequencer: EventSequencer;
  /** Live delivery of the event log on this instance. */
  eventStream: EventStream;
  /** Posts paused syncs to NOTIFY_WEBHOOK_URL; null when it is not set. */
  notifier: WebhookNotifier | null;
  /** Background work (schedulers, delivery) stops through these on shutdown, in order. */
  stoppers: (() => Promise<void>)[];
  /** The per-token (per-address without one) rate limits GraphQL and the CSV exports share. */
  rateLimits: ViewerRateLimits;
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  // Every write ends with one statement (src/finish-write.ts): what its unit of work recorded, its
  // audit entries and its events, both pending (no shared lock: the sealer chains the entries, the
  // sequencer gives the events their seqs, after commit), and the profiles whose sync it concerns
  // marked (src/sync/marks.ts). After it commits, the sealer is asked for a pass, the sync
  // triggers follow the entitlements whose holders it changed, and the write answers once its
  // events are sequenced (wired below).
  db.finishWritesWith(finishWrite);

  const settings = new SettingsService(db, config);
  const auth = new AuthService(db, config.adminToken, config.security.authCacheMs);
  // A credential changed here ends its cached viewers before the change answers (src/auth/viewer-cache.ts).
  db.onCommitted((unit) => auth.credentialChanged(unit.events));
  const ingest = new IngestService(db);
  const directory = new DirectoryQueries(db);
  const tasks = new TaskService(db, config.workflowDefaults);
  const workflow = new WorkflowService(db, tasks);
  const sync = new SyncService({ db, config, logger, settings, tasks });
  const syncTriggers = new SyncTriggers({ db, config, logger }, sync);
  const profiles = new ProfileService(db, tasks);
  const membership = new MembershipService({ db, logger, tasks, sync, syncLater: (profileId) => syncTriggers.requestSync(profileId) });
  const missingAccess = new MissingAccessService({ db, tasks });
  // Audit entries commit pending with their change and are chained after it (src/audit/sealer.ts).
  const sealer = new AuditSealer(db, logger);
  db.onCommitted((unit) => {
    if (recordsAudit(unit)) sealer.request();
  });
  const audit = new AuditService(db, sealer, logger);
  const analysis = new AnalysisService(db, settings);

  const bus: EventBus = config.redisUrl ? new RedisBus(config.redisUrl, logger) : new InProcessBus();
  const { pollMs, retentionHours, notifyBaseDelayMs, sequenceCatchUpMs } = config.events;
  const eventStream = new EventStream(db, bus, logger, { pollMs, retentionMs: retentionHours * 3600_000 });
  // A write's events are sequenced after it commits, before it answers (src/events/sequencer.ts);
  // delivery starts as soon as a pass has sequenced some (the poll is the safety net).
  const eventSequencer = new EventSequencer(db, logger, sequenceCatchUpMs);
  db.settleWritesWith(async (unit) => {
    if (unit.events.length > 0) await eventSequencer.sequenced();
  });
  eventSequencer.onSequenced(() => eventStream.committed());
  const notifier = config.notifyWebhookUrl
    ? new WebhookNotifier(db, logger, { url: config.notifyWebhookUrl, publicUrl: config.publicUrl, baseDelayMs: notifyBaseDelayMs })
    : null;
  if (notifier) eventStream.onDelivery((deliveries) => notifier.delivered(deliveries));

  syncTriggers.start();
  sealer.start();
  eventSequencer.start();
  const stoppers = [
    () => syncTriggers.stop(),
    async () => sync.stop(),
    async () => {
      await eventSequencer.stop();
      await notifier?.stop();
      await eventStream.stop();
    },
    () => sealer.stop(),
  ];
  const rateLimits = new ViewerRateLimits(config.security.rateLimit);
  return { config, db, logger, settings, auth, ingest, directory, profiles, membership, missingAccess, tasks, workflow, sync, syncTriggers, audit, analysis, eventSequencer, eventStream, notifier, stoppers, rateLimits };
}
