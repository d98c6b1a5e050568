/**
 * The safeguard, in one place: a sync that would unenroll more than maxUnenrollRatio of the
 * members of a profile with more than minMembers members is paused for review instead of applied
 * (unless the profile turned the check off). The sync, its preview and the what-if analysis all
 * ask here, so they give the same verdict in the same words.
 */
import type { SafeguardSettings } from '../settings/service.js';

/** Why the sync would pause, or null when it would be applied. */
export function safeguardVerdict(memberCount: number, toUnenroll: number, pauseOnAnomalies: boolean, settings: SafeguardSettings): string | null {
  if (!pauseOnAnomalies || memberCount <= settings.minMembers) return null;
  // The epsilon keeps "exactly the ratio" on the allowed side despite binary fractions (0.2 * 110).
  if (toUnenroll <= settings.maxUnenrollRatio * memberCount + 1e-9) return null;
  const percent = Math.round((toUnenroll / memberCount) * 1000) / 10;
  const limit = Math.round(settings.maxUnenrollRatio * 1000) / 10;
  return `Would unenroll ${toUnenroll} of ${memberCount} members (${percent}%), more than ${limit}% of a profile with more than ${settings.minMembers} members`;
}
