/** Wires the sync engine into the services: the service, its triggers, and the automation-saved hook. */
import { extendServices } from '../app.js';
import { SyncService } from './service.js';
import { SyncTriggers } from './triggers.js';

declare module '../services.js' {
  interface Services {
    sync: SyncService;
    syncTriggers: SyncTriggers;
  }
}

extendServices((services) => {
  const sync = new SyncService(services);
  const triggers = new SyncTriggers(services, sync);
  services.sync = sync;
  services.syncTriggers = triggers;
  services.profileEvents.automationSaved = (profileId, enabled, exclusions, actor) =>
    sync.automationSaved(profileId, enabled, exclusions, actor, (id) => triggers.requestSync(id));
  triggers.start();
  services.stoppers.push(() => triggers.stop());
});
