// Web chat visitors' HTTP side: start a session, upload a file, download an attachment.
// Messages themselves travel over the socket (see realtime/gateway.ts).
import express, { type Request, type Router } from 'express';
import cors from 'cors';
import type multer from 'multer';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { parse } from '../route-kit.js';
import type { Services } from '../services.js';
import { bearerToken } from '../app.js';
import { sendAttachment } from './send-attachment.js';

const StartSession = z
  .object({
    name: z.string().trim().max(200).optional(),
    email: z.string().trim().max(320).optional(),
    locale: z.enum(['en', 'th']).optional(),
  })
  .strict();

export const webChatRoutes = {
  openApi: {
    '/webhooks/web_chat/{accountId}/sessions': {
      post: {
        summary: 'Start a web chat visitor session (used by the widget); returns a visitor token',
        tags: ['web chat'],
        parameters: [{ name: 'accountId', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { content: { 'application/json': { schema: z.toJSONSchema(StartSession) } } },
        responses: { 201: { description: 'sessionId and token' }, 404: { $ref: '#/components/responses/Error' } },
      },
    },
    '/webhooks/web_chat/{accountId}/uploads': {
      post: {
        summary: 'Upload a file as a visitor (Authorization: Bearer <visitor token>, multipart field `file`)',
        tags: ['web chat'],
        parameters: [{ name: 'accountId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          201: { description: 'the attachment' },
          413: { $ref: '#/components/responses/Error' },
          415: { $ref: '#/components/responses/Error' },
        },
      },
    },
  },

  mount(router: Router, s: Services, upload: multer.Multer, jsonBodyLimit: string): void {
    // The widget runs on the business's own site: any origin may call these, with a bearer token, never cookies.
    // CORS comes before the body parser so that the widget can read a 400 or 413 too.
    router.use(
      '/web_chat',
      cors({ origin: true, methods: ['GET', 'POST'], allowedHeaders: ['Content-Type', 'Authorization'], maxAge: 600 }),
      express.json({ limit: jsonBodyLimit, strict: true }),
    );
    const visitor = async (req: Request) => {
      const token = bearerToken(req);
      const session = token ? await s.webChat.resolveSession(token) : undefined;
      if (!session || session.channelAccountId !== req.params.accountId) {
        throw new AppError('UNAUTHENTICATED', 'web chat session is unknown; start a new chat');
      }
      return session;
    };

    router.post('/web_chat/:accountId/sessions', async (req, res, next) => {
      try {
        const body = parse(StartSession, req.body ?? {}, 'body');
        res.status(201).json(await s.webChat.startSession(req.params.accountId!, body));
      } catch (err) {
        next(err);
      }
    });

    router.post('/web_chat/:accountId/uploads', async (req, res, next) => {
      try {
        const session = await visitor(req);
        await new Promise<void>((resolve, reject) => upload.single('file')(req, res, (err: unknown) => (err ? reject(err) : resolve())));
        if (!req.file) throw new AppError('VALIDATION', 'send the file in a multipart field named `file`');
        const attachment = await s.webChat.upload(session, {
          bytes: req.file.buffer,
          filename: req.file.originalname,
          declaredType: req.file.mimetype,
        });
        res.status(201).json({
          attachment: { id: attachment.id, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size },
        });
      } catch (err) {
        next(err);
      }
    });

    router.get('/web_chat/:accountId/attachments/:id', async (req, res, next) => {
      try {
        const session = await visitor(req);
        sendAttachment(res, s.files, await s.webChat.attachmentForVisitor(session, req.params.id!), next);
      } catch (err) {
        next(err);
      }
    });
  },
};
