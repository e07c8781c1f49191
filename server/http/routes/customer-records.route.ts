// One customer view: suggested duplicates, the merge history and its undoing, CSV import and export.
// Mounted before customerRoutes, so /customers/duplicates is not read as /customers/:id.
import type { Request, Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { IMPORT_MAX_BYTES, IMPORT_MODES, type ImportMode } from '../../usecases/import-customers.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const Paging = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

const upload = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5 },
});

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `an import file is at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB`);

/** The CSV bytes: a text/csv body, or the `file` field of a multipart form (a browser's file picker). */
async function csvBytes(req: Request, res: Response): Promise<Uint8Array> {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    await new Promise<void>((resolve, reject) => upload.single('file')(req, res, (err: unknown) => (err ? reject(err) : resolve())));
    if (!req.file) throw new AppError('VALIDATION', 'send the CSV file in the form field "file"');
    return req.file.buffer;
  }
  if (!['text/csv', 'application/csv', 'text/plain'].includes(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv, or as multipart/form-data with a "file" field');
  }
  if (Number(req.get('content-length') ?? 0) > IMPORT_MAX_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > IMPORT_MAX_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function customerRecordRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/customers/duplicates',
      summary:
        'Suggested duplicate customers, best first: pairs with their reasons (same_phone, same_email, same_name, similar_name) and a score 0-100 (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      query: Paging,
      handler: async ({ query }) => s.findDuplicates.list(query as { limit: number; cursor?: string }),
    }),
    route({
      method: 'post',
      path: '/customers/duplicates/:id/dismiss',
      summary: 'Not the same person: the pair is never suggested again (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      status: 204,
      handler: async ({ user, params }) => {
        await s.findDuplicates.dismiss(user, params.id!);
      },
    }),
    route({
      method: 'get',
      path: '/customers/merges',
      summary: 'Every merge of two customers, newest first, with who merged, what moved and whether it was undone (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      query: Paging,
      handler: async ({ query }) => {
        const q = query as { limit: number; cursor?: string };
        return s.unmergeCustomers.recent(q.limit, q.cursor);
      },
    }),
    route({
      method: 'post',
      path: '/customers/merges/:mergeId/undo',
      summary:
        'Undo a merge: the linked profile gets back its identities, conversations, chat sessions, consents and details (supervisors); 409 when a later merge of the kept profile must be undone first',
      tag: 'customers',
      role: 'supervisor',
      handler: async ({ user, params }) => s.unmergeCustomers.unmerge(user, params.mergeId!),
    }),
    route({
      method: 'get',
      path: '/customers/export',
      summary:
        'Every live customer as CSV (UTF-8 with BOM): id, name, phone, email, language, tags, value_tier, vip, channel ids, dates and attr:<name> columns (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      handler: async ({ user, res }) => {
        const chunks = s.exportCustomers(user);
        const first = await chunks.next(); // problems before the first byte still get a JSON error
        const day = new Date(s.now()).toISOString().slice(0, 10);
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="customers-${day}.csv"`);
        res.setHeader('Cache-Control', 'no-store');
        try {
          for (let next = first; !next.done; next = await chunks.next()) {
            if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
          }
          res.end();
        } catch (err) {
          res.destroy(err as Error); // mid-stream: the client sees a cut download, never a silently short file
        }
      },
    }),
    route({
      method: 'post',
      path: '/customers/import',
      summary:
        'Import customers from CSV (text/csv body or multipart "file", at most 5 MB / 20,000 rows): columns name, phone, email, language, tags, value_tier, vip; other columns become attributes. mode=all-or-nothing (default: any bad row and nothing is written, 400 with the report in details) or valid-only; dryRun=true only checks (supervisors)',
      tag: 'customers',
      role: 'supervisor',
      query: z
        .object({
          mode: z.enum(IMPORT_MODES).default('all-or-nothing'),
          dryRun: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        })
        .strict(),
      handler: async ({ user, query, req, res }) => {
        const q = query as { mode: ImportMode; dryRun: boolean };
        const report = await s.importCustomers(user, await csvBytes(req, res), q);
        res.status(report.imported > 0 ? 201 : 200);
        res.json(report);
      },
    }),
    route({
      method: 'get',
      path: '/customers/:id/merges',
      summary: 'The merges into and out of this customer, newest first, undone ones too',
      tag: 'customers',
      role: 'agent',
      handler: async ({ params }) => ({ merges: await s.unmergeCustomers.historyOf(params.id!) }),
    }),
  ];
}
