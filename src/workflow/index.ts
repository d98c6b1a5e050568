/**
 * Wires the access workflow into the services: the task service's policy defaults and
 * publishing, the workflow service, and what follows a change of a profile's items.
 */
import { extendServices } from '../app.js';
import { WorkflowService } from './service.js';

declare module '../services.js' {
  interface Services {
    workflow: WorkflowService;
  }
}

extendServices((services) => {
  services.tasks.attach(services.config.workflowDefaults);
  const workflow = new WorkflowService(services);
  services.workflow = workflow;
  services.profileEvents.itemsAdded = (profileId, entitlementIds, requestForMembers, actor) => workflow.itemsAdded(profileId, entitlementIds, requestForMembers, actor);
  services.profileEvents.itemsRemoved = (profileId, entitlementIds, actor) => workflow.itemsRemoved(profileId, entitlementIds, actor);
});
