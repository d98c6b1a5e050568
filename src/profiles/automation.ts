/**
 * A profile's membership automation, and the one rule for changing it: a field left out keeps its
 * saved value; a list given as null is emptied; a flag or mode given as null is bad input (it has
 * no "empty"). The save (membership.ts) and the what-if (analysis/what-if.ts) both merge here, so
 * the what-if of a change predicts what saving it does.
 */
import type { AutomationMode } from '../directory/records.js';
import { badInput } from '../errors.js';

export interface Automation {
  enabled: boolean;
  mode: AutomationMode;
  pauseOnAnomalies: boolean;
  conditionEntitlementIds: string[];
  excludedUserIds: string[];
}

/** A change as a client sends it: undefined keeps, null clears (lists) or is refused (flags, mode). */
export type AutomationChange = { [K in keyof Automation]?: Automation[K] | null };

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

function kept<T>(name: string, given: T | null | undefined, saved: T): T {
  if (given === null) throw badInput(`${name} cannot be null: leave it out to keep the saved value`);
  return given === undefined ? saved : given;
}

export function mergeAutomation(saved: Automation, change: AutomationChange): Automation {
  const list = (given: string[] | null | undefined, savedIds: string[]) => (given === undefined ? unique(savedIds) : unique(given ?? []));
  return {
    enabled: kept('enabled', change.enabled, saved.enabled),
    mode: kept('mode', change.mode, saved.mode),
    pauseOnAnomalies: kept('pauseOnAnomalies', change.pauseOnAnomalies, saved.pauseOnAnomalies),
    conditionEntitlementIds: list(change.conditionEntitlementIds, saved.conditionEntitlementIds),
    excludedUserIds: list(change.excludedUserIds, saved.excludedUserIds),
  };
}
