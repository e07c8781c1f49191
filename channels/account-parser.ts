// What most channel kinds do to vet an account: its settings and (when given) credentials parsed by
// their zod schemas, both at once, so the admin sees every wrong field in one answer.
import { z } from 'zod';
import type { ChannelAdapter } from './types.js';

export function accountParser(settingsSchema: z.ZodType, credentialsSchema: z.ZodType): NonNullable<ChannelAdapter['parseAccount']> {
  return (settings, credentials) => {
    const s = settingsSchema.safeParse(settings);
    const c = credentials === undefined ? undefined : credentialsSchema.safeParse(credentials);
    const issues = [...(s.error?.issues ?? []), ...(c?.error?.issues ?? [])];
    if (issues.length > 0) throw new z.ZodError(issues);
    return { settings: s.data as Record<string, unknown>, credentials: c?.data as Record<string, unknown> | undefined };
  };
}
