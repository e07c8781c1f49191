// Agent uploads (to attach to a reply) and downloads of any attachment they may see.
import type { Router } from 'express';
import type multer from 'multer';
import { AppError, forbidden, notFound } from '../../domain/errors.js';
import { canViewConversation } from '../../domain/policy.js';
import { checkUpload } from '../../usecases/check-upload.js';
import type { Authenticator } from '../route-kit.js';
import type { Services } from '../services.js';
import { sendAttachment } from './send-attachment.js';

export const attachmentRoutes = {
  openApi: {
    '/api/v1/conversations/{id}/attachments': {
      post: {
        summary: 'Upload a file (multipart field `file`) to attach to a reply or note in this conversation',
        tags: ['conversations'],
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } },
        },
        responses: {
          201: { description: 'the attachment' },
          413: { $ref: '#/components/responses/Error' },
          415: { $ref: '#/components/responses/Error' },
        },
      },
    },
    '/api/v1/attachments/{id}': {
      get: {
        summary: 'Download an attachment',
        tags: ['conversations'],
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'the file' }, 404: { $ref: '#/components/responses/Error' } },
      },
    },
  },

  mount(api: Router, s: Services, authenticate: Authenticator, upload: multer.Multer): void {
    const requireUser = async (req: Parameters<Authenticator>[0]) => {
      const auth = await authenticate(req);
      if (!auth) throw new AppError('UNAUTHENTICATED', 'send a valid bearer token');
      return auth.user;
    };

    api.post('/conversations/:id/attachments', async (req, res, next) => {
      try {
        const user = await requireUser(req);
        const conversation = await s.store.conversations.findById(req.params.id!);
        if (!conversation) throw notFound('conversation');
        if (!canViewConversation(user, conversation)) throw forbidden('this conversation is assigned to another agent');
        await new Promise<void>((resolve, reject) => upload.single('file')(req, res, (err: unknown) => (err ? reject(err) : resolve())));
        if (!req.file) throw new AppError('VALIDATION', 'send the file in a multipart field named `file`');
        const checked = await checkUpload(req.file.buffer, req.file.originalname, req.file.mimetype);
        const stored = await s.files.put(req.file.buffer);
        const attachment = await s.store.attachments.create(
          { channelAccountId: conversation.channelAccountId, uploaderType: 'agent', uploaderId: user.id, ...checked, ...stored },
          s.now(),
        );
        res.status(201).json({ attachment });
      } catch (err) {
        next(err);
      }
    });

    api.get('/attachments/:id', async (req, res, next) => {
      try {
        const user = await requireUser(req);
        const attachment = await s.store.attachments.findById(req.params.id!);
        if (!attachment) throw notFound('attachment');
        const message = attachment.messageId ? await s.store.messages.findById(attachment.messageId) : undefined;
        const conversation = message ? await s.store.conversations.findById(message.conversationId) : undefined;
        const mayView = conversation ? canViewConversation(user, conversation) : attachment.uploaderId === user.id;
        if (!mayView) throw notFound('attachment');
        sendAttachment(res, s.files, attachment, next);
      } catch (err) {
        next(err);
      }
    });
  },
};
