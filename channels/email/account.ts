// An email channel account: one support address, read over IMAP and answered over SMTP. Settings are
// plain (returned by the API); the two passwords are credentials (sealed, never returned or logged).
import { z } from 'zod';

const Host = z.string().trim().min(1).max(253);
const Tls = z.enum(['implicit', 'starttls', 'none']);

export const EmailSettings = z
  .object({
    imap: z
      .object({
        host: Host,
        port: z.number().int().min(1).max(65535).default(993),
        /** implicit: TLS from the first byte (993); starttls: upgrade required; none: loopback and tests only. */
        tls: Tls.default('implicit'),
        user: z.string().min(1).max(320),
        mailbox: z.string().min(1).max(200).default('INBOX'),
        /** After a mail is imported: mark it \Seen, move it to `moveTo`, or leave it as it is. */
        afterImport: z.enum(['seen', 'move', 'leave']).default('seen'),
        moveTo: z.string().min(1).max(200).optional(),
        /** How many days of existing mail the first sync imports (0: only mail that arrives from now on). */
        syncDays: z.number().int().min(0).max(365).default(7),
        /** Mail larger than this is not imported; the conversation says so (default 25 MB). */
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(100 * 1024 * 1024)
          .default(25 * 1024 * 1024),
      })
      .strict()
      .refine((i) => i.afterImport !== 'move' || i.moveTo, {
        message: 'moveTo names the folder when afterImport is move',
        path: ['moveTo'],
      }),
    smtp: z
      .object({
        host: Host,
        port: z.number().int().min(1).max(65535).default(465),
        tls: Tls.default('implicit'),
        user: z.string().min(1).max(320).optional(),
      })
      .strict(),
    fromAddress: z.email().transform((a) => a.toLowerCase()),
    fromName: z.string().trim().min(1).max(200),
    /** Plain text, added under every reply. */
    signature: z.string().max(2000).default(''),
    /** An acknowledgement with the ticket reference when a new conversation starts (never to auto-replies or bounces). */
    acknowledge: z
      .object({ enabled: z.boolean().default(false), text: z.string().min(1).max(4000).optional() })
      .strict()
      .default({ enabled: false }),
  })
  .strict();

export type EmailSettings = z.output<typeof EmailSettings>;

export const EmailCredentials = z
  .object({
    imapPassword: z.string().min(1).max(1000),
    /** Defaults to the IMAP password (most providers use one). */
    smtpPassword: z.string().min(1).max(1000).optional(),
  })
  .strict();

export type EmailCredentials = z.output<typeof EmailCredentials>;
