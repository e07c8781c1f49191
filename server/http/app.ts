// The express application: health, API, webhooks, the widget and the console.
import path from 'node:path';
import express, { type ErrorRequestHandler, type Request } from 'express';
import multer from 'multer';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { AppError, type ErrorCode } from '../domain/errors.js';
import { projectRoot } from '../paths.js';
import { LoginBody, authRoutes } from './routes/auth.route.js';
import { channelAccountRoutes } from './routes/channel-accounts.route.js';
import { conversationRoutes } from './routes/conversations.route.js';
import { customerRoutes } from './routes/customers.route.js';
import { customerRecordRoutes } from './routes/customer-records.route.js';
import { emailRoutes } from './routes/email.route.js';
import { queueRoutes } from './routes/queues.route.js';
import { cannedResponseRoutes } from './routes/canned-responses.route.js';
import { statsRoutes } from './routes/stats.route.js';
import { userRoutes } from './routes/users.route.js';
import { routingRoutes } from './routes/routing.route.js';
import { attachmentRoutes } from './routes/attachments.route.js';
import { webChatRoutes } from './routes/web-chat.route.js';
import { smsRoutes } from './routes/sms.route.js';
import { messengerRoutes } from './routes/messenger.route.js';
import { lineRoutes } from './routes/line.route.js';
import { slackRoutes } from './routes/slack.route.js';
import { voiceApiRoutes, voiceRoutes } from './routes/voice.route.js';
import { crmRoutes } from './routes/crm.route.js';
import { orderRoutes } from './routes/orders.route.js';
import { reportRoutes } from './routes/reports.route.js';
import { campaignRoutes } from './routes/campaigns.route.js';
import { csatRoutes } from './routes/csat.route.js';
import { mountCsatPage } from './csat-page.js';
import { LoginThrottle } from './login-throttle.js';
import { mountRoutes, openApiDocument, parse, type Authenticator } from './route-kit.js';
import type { HttpOptions, Services } from './services.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header && /^Bearer ([\w-]{1,200})$/.exec(header);
  return match?.[1];
}

export interface AppHooks {
  ready: () => Promise<boolean>;
  /** Counts requests in flight so shutdown can wait for them. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** This node's name and whether it leads routing (several nodes), shown on /healthz. */
  node?: () => { node: string; routing: 'leader' | 'follower' };
}

export function createApp(s: Services, options: HttpOptions, log: Logger, hooks: AppHooks): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : uuidv7();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Tokens and cookies never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.query.token'],
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  app.use((req, res, next) => {
    let finished: () => void = () => undefined;
    void hooks.track(new Promise<void>((resolve) => (finished = resolve)));
    res.on('close', finished);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ...hooks.node?.() });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await hooks.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });

  const throttle = new LoginThrottle(s.now);
  const authenticate: Authenticator = async (req) => {
    const token = bearerToken(req);
    const found = token ? await s.auth.authenticate(token) : undefined;
    return found && token ? { user: found.user, token } : undefined;
  };
  // Browsers send file names as raw UTF-8 (Thai names), not latin1, multer's default.
  const upload = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: options.uploadMaxBytes, files: 1, fields: 5 },
  });

  const api = express.Router();
  api.use(express.json({ limit: options.jsonBodyLimit, strict: true }));
  const defs = [
    ...authRoutes(s, throttle),
    ...userRoutes(s),
    ...channelAccountRoutes(s, options),
    ...csatRoutes(s),
    ...conversationRoutes(s),
    ...customerRecordRoutes(s), // before customerRoutes: /customers/duplicates is not /customers/:id
    ...customerRoutes(s),
    ...orderRoutes(s),
    ...crmRoutes(s),
    ...emailRoutes(s),
    ...statsRoutes(s), // before queueRoutes: /queues/stats is not /queues/:id
    ...queueRoutes(s),
    ...cannedResponseRoutes(s),
    ...routingRoutes(s),
    ...voiceApiRoutes(s),
    ...campaignRoutes(s),
    ...reportRoutes(s),
  ];
  const extraPaths = {
    '/api/v1/auth/login': {
      post: {
        summary: 'Log in with email and password; returns a bearer token',
        tags: ['auth'],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Login' } } } },
        responses: {
          200: { description: 'token, expiresAt, user' },
          401: { $ref: '#/components/responses/Error' },
          429: { $ref: '#/components/responses/Error' },
        },
      },
    },
    ...attachmentRoutes.openApi,
    ...webChatRoutes.openApi,
    ...smsRoutes.openApi,
    ...messengerRoutes.openApi,
    ...lineRoutes.openApi,
    ...slackRoutes.openApi,
    ...voiceRoutes.openApi,
  };
  const openapi = openApiDocument(defs, { paths: extraPaths }, options.version) as { components: Record<string, unknown> };
  openapi.components.schemas = {
    Login: { type: 'object', properties: { email: { type: 'string' }, password: { type: 'string' } }, required: ['email', 'password'] },
  };
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.post('/auth/login', async (req, res, next) => {
    try {
      const body = parse(LoginBody, req.body ?? {}, 'body');
      throttle.check(body.email);
      try {
        const session = await s.auth.login(body.email, body.password);
        throttle.succeeded(body.email);
        res.json(session);
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNAUTHENTICATED') throttle.failed(body.email);
        throw err;
      }
    } catch (err) {
      next(err);
    }
  });
  attachmentRoutes.mount(api, s, authenticate, upload);
  mountRoutes(api, defs, authenticate);
  api.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'no such API route; see /api/v1/openapi.json')));
  app.use('/api/v1', api);

  // Each channel parses its own body (after CORS, so a browser can read the errors; signed
  // providers will need the raw bytes), hence no JSON parser for all of /webhooks.
  const webhooks = express.Router();
  webChatRoutes.mount(webhooks, s, upload, options.jsonBodyLimit);
  smsRoutes.mount(webhooks, s, options);
  messengerRoutes.mount(webhooks, s);
  lineRoutes.mount(webhooks, s);
  slackRoutes.mount(webhooks, s);
  voiceRoutes.mount(webhooks, s, options);
  webhooks.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'no such webhook')));
  app.use('/webhooks', webhooks);

  // Email satisfaction surveys: the page their link opens (public, signed token).
  const csatPage = express.Router();
  mountCsatPage(csatPage, s);
  app.use(csatPage);

  // The web chat widget and its demo page.
  const widgetDir = path.join(projectRoot, 'channels', 'web-chat', 'widget');
  app.get('/widget/demo', (_req, res) => res.sendFile(path.join(widgetDir, 'demo.html')));
  app.use('/widget', express.static(widgetDir, { index: false, maxAge: '5m' }));

  // The agent console, built by `npm run build:ui`; until it is built, `/` says so. Hashed assets
  // are cached for good, index.html is revalidated so a new build reaches agents on reload.
  app.use(
    express.static(path.join(projectRoot, 'agent-ui', 'dist'), {
      index: 'index.html',
      setHeaders: (res, file) =>
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    }),
  );
  app.get('/', (_req, res) => {
    res.status(503).type('html').send(CONSOLE_NOT_BUILT);
  });
  app.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'no such page')));

  app.use(errorHandler(log));
  return app;
}

const CONSOLE_NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Omnidesk</title>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2633">
<h1 style="font-size:1.25rem">Omnidesk is running, but the console is not built yet</h1>
<p>The console is not built yet: run <code>npm run build:ui</code> (or <code>npm start</code>, which builds it), then reload.</p>
<p>The API is up: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>`;

function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = err as { type?: string; code?: string; status?: number; expose?: boolean } & Error;
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if (e.type === 'entity.parse.failed') appError = new AppError('VALIDATION', 'the request body is not valid JSON');
    else if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE')
      appError = new AppError('PAYLOAD_TOO_LARGE', 'the request body or file is too large');
    else if (e instanceof multer.MulterError) appError = new AppError('VALIDATION', `upload: ${e.message}`);
    else if (e.status && e.status >= 400 && e.status < 500 && e.expose) appError = new AppError('VALIDATION', e.message);
    else {
      req.log?.error({ err }, 'unhandled error');
      if (!req.log) log.error({ err }, 'unhandled error');
      appError = new AppError('INTERNAL', 'something went wrong on our side; the request id is in the x-request-id header');
    }
    if (res.headersSent) return;
    res.status(STATUS[appError.code]).json({
      error: { code: appError.code, message: appError.message, ...(appError.details !== undefined && { details: appError.details }) },
    });
  };
}
