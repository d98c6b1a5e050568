import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Database, Tx } from '../db/database.js';
import { badInput } from '../errors.js';
import { now } from '../ids.js';

export interface SafeguardSettings {
  minMembers: number;
  maxUnenrollRatio: number;
}

/** Deployment settings: stored values win over the environment's defaults. */
export class SettingsService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  async safeguard(tx?: Tx): Promise<SafeguardSettings> {
    const read = async (t: Tx) => (await t.one<{ settings: { safeguardMinMembers?: number; safeguardMaxUnenrollRatio?: number } }>('settings/get-settings'))?.settings;
    const stored = tx ? await read(tx) : await this.db.read('settings.read', read);
    return {
      minMembers: stored?.safeguardMinMembers ?? this.config.safeguard.minMembers,
      maxUnenrollRatio: stored?.safeguardMaxUnenrollRatio ?? this.config.safeguard.maxUnenrollRatio,
    };
  }

  async updateSafeguard(minMembers: number, maxUnenrollRatio: number, actor: Viewer | null = null): Promise<SafeguardSettings> {
    if (!Number.isInteger(minMembers) || minMembers < 0) throw badInput('minMembers must be a whole number >= 0');
    if (!Number.isFinite(maxUnenrollRatio) || maxUnenrollRatio < 0 || maxUnenrollRatio > 1) throw badInput('maxUnenrollRatio must be from 0 to 1');
    await this.db.write('settings.updateSafeguard', async (tx) => {
      const before = await this.safeguard(tx);
      await tx.run('settings/update-safeguard-settings', { minMembers, maxUnenrollRatio, now: now() });
      recordAudit(tx, actor, { action: 'SAFEGUARD_SETTINGS_UPDATED', subjectType: 'Settings', subjectId: 'global', before, after: { minMembers, maxUnenrollRatio } });
    });
    return { minMembers, maxUnenrollRatio };
  }
}
