// A channel account's stored settings, read with its channel's schema. Settings are validated when
// saved, so one that no longer fits (an older shape) is an internal error the admin fixes by saving again.
import type { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { ChannelAccount } from '../domain/types.js';

/** `channel` names the kind in the error: "SMS account 42 has invalid settings; save it again in Admin". */
export function accountSettings<T>(schema: z.ZodType<T>, account: ChannelAccount, channel: string): T {
  const parsed = schema.safeParse(account.settings);
  if (!parsed.success) throw new AppError('INTERNAL', `${channel} account ${account.id} has invalid settings; save it again in Admin`);
  return parsed.data;
}
