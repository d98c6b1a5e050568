/** The services one API instance runs, built once at start and shared by every request. */
import { AuthService } from './auth/tokens.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { IngestService } from './directory/ingest.js';
import type { Logger } from './logger.js';
import { ProfileService } from './profiles/service.js';
import { SettingsService } from './settings/service.js';
import { TaskService } from './tasks/service.js';
import { appendEvents } from './events/log.js';
import type { Viewer } from './auth/viewer.js';

export interface ProfileEvents {
  itemsAdded(profileId: string, entitlementIds: string[], requestForMembers: boolean, actor: Viewer | null): Promise<void>;
  itemsRemoved(profileId: string, entitlementIds: string[], actor: Viewer | null): Promise<void>;
  automationSaved(profileId: string, enabled: boolean, exclusions: { excludedAdded: string[]; excludedRemoved: string[] }, actor: Viewer | null): Promise<void>;
}

export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  auth: AuthService;
  ingest: IngestService;
  profiles: ProfileService;
  settings: SettingsService;
  tasks: TaskService;
  /**
   * Told, after commit, which entitlements changed holders (ingest, completed tasks): the sync
   * listens to follow condition changes within seconds.
   */
  holdersChanged: HoldersChangedHub;
  /** What follows a change of a profile's items or automation (the workflow and sync plug in). */
  profileEvents: ProfileEvents;
  /** Background work (schedulers, listeners) stops through these on shutdown. */
  stoppers: (() => Promise<void>)[];
}

/** What the core builds; capabilities add the rest. */
type CoreServices = Pick<
  Services,
  'config' | 'db' | 'logger' | 'auth' | 'ingest' | 'profiles' | 'settings' | 'tasks' | 'holdersChanged' | 'profileEvents' | 'stoppers'
>;

export class HoldersChangedHub {
  private readonly listeners: ((entitlementIds: string[]) => void)[] = [];
  on(listener: (entitlementIds: string[]) => void): void {
    this.listeners.push(listener);
  }
  emit(entitlementIds: string[]): void {
    if (entitlementIds.length === 0) return;
    for (const listener of this.listeners) listener(entitlementIds);
  }
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const holdersChanged = new HoldersChangedHub();
  // Every write appends the events its unit of work recorded (the audit trail appends its entries
  // after them, last); once it commits, the entitlements whose holders it changed are announced.
  db.finishWritesWith(appendEvents);
  db.onCommitted((unit) => holdersChanged.emit([...unit.changedEntitlementIds]));
  const core: CoreServices = {
    config,
    db,
    logger,
    auth: new AuthService(db, config.adminToken),
    ingest: new IngestService(db),
    profiles: new ProfileService(db),
    settings: new SettingsService(db, config),
    tasks: new TaskService(db),
    holdersChanged,
    profileEvents: {
      itemsAdded: async () => {},
      itemsRemoved: async () => {},
      automationSaved: async () => {},
    },
    stoppers: [],
  };
  // Capabilities add their own fields (module augmentation) in their extendServices
  // registration, which buildApp runs before the first request.
  return core as Services;
}
