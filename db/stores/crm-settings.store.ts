import type { Knex } from 'knex';
import { DEFAULT_CRM_SETTINGS, type CrmSettings, type RfmCuts } from '../../server/domain/crm/rfm.js';
import { parseJson } from '../json.js';

/** The quintile cuts of the last full refresh, with when and over how many customers they were taken. */
export interface StoredCuts {
  cuts: RfmCuts;
  computedAt: number;
  population: number;
}

export class CrmSettingsStore {
  constructor(private readonly db: Knex) {}

  async settings(): Promise<CrmSettings> {
    const stored = await this.read<Partial<CrmSettings>>('settings');
    return { ...DEFAULT_CRM_SETTINGS, ...stored };
  }

  async saveSettings(settings: CrmSettings, now: number): Promise<void> {
    await this.write('settings', settings, now);
  }

  async cuts(): Promise<StoredCuts | undefined> {
    return this.read<StoredCuts>('rfm_cuts');
  }

  async saveCuts(cuts: StoredCuts, now: number): Promise<void> {
    await this.write('rfm_cuts', cuts, now);
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const r = await this.db('crm_settings').where({ key }).first('value');
    return r ? parseJson<T | undefined>(r.value, undefined) : undefined;
  }

  private async write(key: string, value: unknown, now: number): Promise<void> {
    await this.db('crm_settings')
      .insert({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict('key')
      .merge(['value', 'updated_at']);
  }
}
