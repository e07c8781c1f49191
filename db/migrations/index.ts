// Migrations are listed in code (not discovered from disk) so they run the same from src and dist.
import type { Knex } from 'knex';
import * as m001 from './001-core.js';
import * as m002 from './002-routing.js';
import * as m003 from './003-console.js';
import * as m004 from './004-customer-links.js';
import * as m005 from './005-email.js';
import * as m006 from './006-voice.js';
import * as m007 from './007-slack.js';
import * as m008 from './008-crm-identify.js';
import * as m009 from './009-crm-value.js';
import * as m010 from './010-crm-outbound.js';
import * as m011 from './011-reports.js';
import * as m012 from './012-csat-catch-up.js';
import * as m013 from './013-name-sound-keys.js';
import * as m014 from './014-call-wait.js';
import * as m015 from './015-pending-files.js';

const migrations: Record<string, Knex.Migration> = {
  '001-core': m001,
  '002-routing': m002,
  '003-console': m003,
  '004-customer-links': m004,
  '005-email': m005,
  '006-voice': m006,
  '007-slack': m007,
  '008-crm-identify': m008,
  '009-crm-value': m009,
  '010-crm-outbound': m010,
  '011-reports': m011,
  '012-csat-catch-up': m012,
  '013-name-sound-keys': m013,
  '014-call-wait': m014,
  '015-pending-files': m015,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
