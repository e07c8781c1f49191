// The one place that reads process.env. Everything else receives a typed Config.
import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_REPORT_TIME_ZONE, isTimeZone } from './domain/reports/period.js';

const duration = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL, e.g. https://desk.example.com' }).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|postgres:|postgresql:)/, 'must start with sqlite: or postgres://')
      .default('sqlite:./data/omnidesk.sqlite'),
    DATA_DIR: z.string().default('./data'),
    IVR_FLOWS_DIR: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
    TOKEN_TTL_HOURS: duration(12),
    REOPEN_WINDOW_HOURS: z.coerce.number().min(0).default(72),
    UPLOAD_MAX_BYTES: duration(10 * 1024 * 1024),
    JSON_BODY_LIMIT: z.string().default('256kb'),
    SOCKET_MAX_EVENT_BYTES: duration(64 * 1024),
    SOCKET_EVENTS_PER_SECOND: duration(20),
    SHUTDOWN_GRACE_MS: duration(10_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    CLUSTER_NAME: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and - only (at most 63)')
      .default('omnidesk'),
    REPORT_TIME_ZONE: z
      .string()
      .refine(isTimeZone, 'not an IANA time zone; use a name such as Asia/Bangkok or Europe/London')
      // One spelling per zone (asia/bangkok is Asia/Bangkok), so a change of case does not rebuild the rollup.
      .transform((tz) => new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone)
      .default(DEFAULT_REPORT_TIME_ZONE),
    NODE_ID: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . and - only (at most 64)')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
      });
    }
    if (env.REDIS_URL && !/^postgres(ql)?:/.test(env.DATABASE_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'several nodes share one PostgreSQL database: set DATABASE_URL to postgres://… (SQLite serves one process)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'is required in production' });
    }
  });

export type Env = z.infer<typeof ConfigSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: string | undefined;
  databaseUrl: string;
  dataDir: string;
  /** IVR flow files (`*.flow.yaml`), validated at start-up; default: the project's ivr-flows/. */
  ivrFlowsDir: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  admin: { email: string; password: string } | undefined;
  /** Key for encrypting channel credentials at rest. Derived per install when unset (dev only). */
  secretKey: string | undefined;
  tokenTtlMs: number;
  reopenWindowMs: number;
  uploadMaxBytes: number;
  jsonBodyLimit: string;
  socketMaxEventBytes: number;
  socketEventsPerSecond: number;
  shutdownGraceMs: number;
  /** Several nodes: Redis for the socket.io adapter, cross-node events and calls to the routing leader. */
  cluster: { redisUrl: string | undefined; name: string; nodeId: string };
  /** The desk's zone for reports: the daily rollup counts its local days, and reports default to it. */
  reportTimeZone: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(source: Record<string, string | undefined>): Config {
  // Treat empty strings (e.g. `PUBLIC_URL=` copied from .env.example) as unset.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    ivrFlowsDir: e.IVR_FLOWS_DIR,
    logLevel: e.LOG_LEVEL,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    secretKey: e.SECRET_KEY,
    tokenTtlMs: e.TOKEN_TTL_HOURS * 3_600_000,
    reopenWindowMs: e.REOPEN_WINDOW_HOURS * 3_600_000,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    socketMaxEventBytes: e.SOCKET_MAX_EVENT_BYTES,
    socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    cluster: { redisUrl: e.REDIS_URL, name: e.CLUSTER_NAME, nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}` },
    reportTimeZone: e.REPORT_TIME_ZONE,
  };
}
