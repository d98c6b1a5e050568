/**
 * Wires the access workflow into the services: the task service's policy defaults and
 * publishing, the workflow service, and what follows a change of a profile's items.
 */
import { extendServices } from '../app.js';
import type { PolicyStep } from '../directory/records.js';
import { WorkflowService } from './service.js';

declare module '../services.js' {
  interface Services {
    workflow: WorkflowService;
  }
}

const APPROVER_TYPES = ['MANAGER', 'APP_OWNERS'] as const;

/**
 * A deployment default policy from the environment: approver types, one per step, comma
 * separated ("MANAGER", "MANAGER,APP_OWNERS"); "NONE" or empty for zero steps (auto-approve).
 */
export function parseDefaultPolicy(name: string, raw: string | undefined, fallback: PolicyStep[]): PolicyStep[] {
  if (raw === undefined) return fallback;
  const value = raw.trim().toUpperCase();
  if (value === '' || value === 'NONE') return [];
  return value.split(',').map((part) => {
    const type = part.trim();
    if (!(APPROVER_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${name} must list approver types (MANAGER, APP_OWNERS) separated by commas, or NONE (got "${raw}")`);
    }
    return { approverType: type as PolicyStep['approverType'], userIds: [] };
  });
}

export function workflowDefaults(env: NodeJS.ProcessEnv = process.env) {
  return {
    requestSteps: parseDefaultPolicy('WORKFLOW_DEFAULT_REQUEST_POLICY', env.WORKFLOW_DEFAULT_REQUEST_POLICY, [{ approverType: 'MANAGER', userIds: [] }]),
    revokeSteps: parseDefaultPolicy('WORKFLOW_DEFAULT_REVOKE_POLICY', env.WORKFLOW_DEFAULT_REVOKE_POLICY, []),
  };
}

extendServices((services) => {
  services.tasks.attach(workflowDefaults(), { events: services.events, holdersChanged: services.holdersChanged });
  const workflow = new WorkflowService(services);
  services.workflow = workflow;
  services.profileEvents.itemsAdded = (profileId, entitlementIds, requestForMembers, actor) => workflow.itemsAdded(profileId, entitlementIds, requestForMembers, actor);
  services.profileEvents.itemsRemoved = (profileId, entitlementIds, actor) => workflow.itemsRemoved(profileId, entitlementIds, actor);
});
