// A customer's purchase history and value: orders posted one by one, in bulk (all or nothing) or from
// a CSV file, and the scores, tier and VIP flag derived from them.
import type { Request, Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { orderView, parseAmount } from '../../domain/crm/orders.js';
import { ORDER_IMPORT_MAX_BYTES } from '../../usecases/crm/import-orders.js';
import type { OrderInput } from '../../usecases/crm/record-orders.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const OrderFields = {
  externalId: z.string().trim().min(1).max(200),
  source: z
    .string()
    .trim()
    .regex(/^[\w.:-]{1,64}$/, 'a source name: 1-64 letters, digits, _ . : -')
    .default('api'),
  amount: z
    .union([z.string(), z.number()])
    .refine((v) => parseAmount(v) !== null, 'a non-negative amount with at most two decimals, e.g. "1500.50"'),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code such as THB')
    .optional(),
  orderedAt: z.union([
    z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time such as 2025-03-01T10:00:00+07:00' }),
    z.number().int().positive(),
  ]),
};
const OrderBody = z.object(OrderFields).strict();
const BulkBody = z
  .array(z.object({ customerId: z.string().min(1).max(64), ...OrderFields }).strict())
  .min(1, 'send at least one order')
  .max(1000, 'at most 1,000 orders per request');

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ORDER_IMPORT_MAX_BYTES, files: 1, fields: 5 } });

/** The CSV bytes: a text/csv body, or the `file` field of a multipart form. */
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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ORDER_IMPORT_MAX_BYTES)
      throw new AppError('PAYLOAD_TOO_LARGE', `an order file is at most ${ORDER_IMPORT_MAX_BYTES / 1024 / 1024} MB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function orderRoutes(s: Services) {
  const { crmValue: crm } = s;
  return [
    route({
      method: 'post',
      path: '/customers/:id/orders',
      summary:
        "Record a customer's order: externalId (unique per source: posting it again returns the stored order, 200), amount as a decimal string or number (two decimals at most), currency (the desk's), orderedAt. Rescores RFM, tier and VIP (supervisors)",
      tag: 'orders',
      role: 'supervisor',
      body: OrderBody,
      status: 201,
      handler: async ({ user, params, body, res }) => {
        const r = await crm.orders.recordOne(user, params.id!, body as Omit<OrderInput, 'customerId'>);
        // 201 when stored now, 200 when it was stored before (the kit's status is fixed, so answered here).
        res.status(r.created ? 201 : 200).json({ order: orderView(r.order), created: r.created });
      },
    }),
    route({
      method: 'get',
      path: '/customers/:id/orders',
      summary: "A customer's orders, newest first (cursor paging)",
      tag: 'orders',
      role: 'agent',
      query: z
        .object({ limit: z.coerce.number().int().min(1).max(100).default(25), cursor: z.string().min(1).max(64).optional() })
        .strict(),
      handler: async ({ params, query }) => {
        const page = await crm.orders.list(params.id!, query as { limit: number; cursor?: string });
        return { orders: page.orders.map(orderView), nextCursor: page.nextCursor };
      },
    }),
    route({
      method: 'get',
      path: '/customers/:id/value',
      summary: "A customer's value: order count and spend, RFM scores (1-5), tier and VIP flag with any supervisor overrides",
      tag: 'orders',
      role: 'agent',
      handler: async ({ params }) => ({ value: await crm.admin.valueOf(params.id!) }),
    }),
    route({
      method: 'post',
      path: '/orders',
      summary:
        'Record up to 1,000 orders of any customers (a JSON array of {customerId, externalId, source, amount, currency, orderedAt}). All or nothing: one bad item and none is written; the 400 lists every problem by item index (supervisors)',
      tag: 'orders',
      role: 'supervisor',
      body: BulkBody,
      handler: async ({ user, body, res }) => {
        const recorded = await crm.orders.record(user, body as OrderInput[]);
        const created = recorded.filter((r) => r.created).length;
        res.status(created > 0 ? 201 : 200).json({
          orders: recorded.map((r) => ({ ...orderView(r.order), created: r.created })),
          created,
          existing: recorded.length - created,
        });
      },
    }),
    route({
      method: 'post',
      path: '/orders/import',
      summary:
        'Import orders from CSV (text/csv body or multipart "file", at most 5 MB / 50,000 rows): columns customer_id or email or phone, external_id, source, amount, currency, ordered_at. All or nothing: the 400 lists every bad row and column; rows already imported count as existing (supervisors)',
      tag: 'orders',
      role: 'supervisor',
      handler: async ({ user, req, res }) => {
        const report = await crm.importOrders(user, await csvBytes(req, res));
        res.status(report.created > 0 ? 201 : 200).json(report);
      },
    }),
  ];
}
