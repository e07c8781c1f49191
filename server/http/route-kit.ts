// Routes are declared once, as data: method, path, role, input schemas and handler. The same
// declarations mount the express handlers and produce the OpenAPI document, so they cannot drift.
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { hasRole } from '../domain/policy.js';
import type { Role, User } from '../domain/types.js';

export interface RouteContext<B, Q> {
  user: User;
  token: string;
  body: B;
  query: Q;
  params: Record<string, string>;
  req: Request;
  res: Response;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express-style path under /api/v1, e.g. `/conversations/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** The least role allowed; every route below /api/v1 but login requires one. */
  role: Role;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  status?: number;
  /** Returns the JSON body, or undefined when the handler wrote the response itself. */
  handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

export const route = <B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef => def as unknown as RouteDef;

export function validationError(err: z.ZodError, where: string): AppError {
  const issues = err.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
  return new AppError('VALIDATION', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}

export type Authenticator = (req: Request) => Promise<{ user: User; token: string } | undefined>;

export function mountRoutes(router: Router, defs: RouteDef[], authenticate: Authenticator): void {
  for (const def of defs) {
    router[def.method](def.path, async (req, res, next) => {
      try {
        const auth = await authenticate(req);
        if (!auth)
          throw new AppError('UNAUTHENTICATED', 'send a valid bearer token (POST /api/v1/auth/login); it may have expired or been revoked');
        if (!hasRole(auth.user, def.role)) throw new AppError('FORBIDDEN', `this needs the ${def.role} role`);
        const body = def.body ? parse(def.body, req.body ?? {}, 'body') : undefined;
        const query = def.query ? parse(def.query, req.query, 'query') : undefined;
        const result = await def.handler({
          user: auth.user,
          token: auth.token,
          body,
          query,
          params: req.params as Record<string, string>,
          req,
          res,
        });
        if (result !== undefined) res.status(def.status ?? 200).json(result);
        else if (!res.headersSent) res.status(204).end();
      } catch (err) {
        next(err);
      }
    });
  }
}

const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');

export function openApiDocument(defs: RouteDef[], extra: { paths: Record<string, unknown> }, version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of defs) {
    const p = `/api/v1${toOpenApiPath(d.path)}`;
    const params = [...d.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = d.query ? z.toJSONSchema(d.query, { io: 'input', unrepresentable: 'any' }) : undefined;
    const queryParams =
      query && typeof query === 'object' && 'properties' in query
        ? Object.entries(query.properties as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', schema }))
        : [];
    (paths[p] ??= {})[d.method] = {
      summary: d.summary,
      tags: [d.tag],
      description: `Requires the ${d.role} role (or higher).`,
      security: [{ bearer: [] }],
      parameters: [...params, ...queryParams],
      ...(d.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: z.toJSONSchema(d.body, { io: 'input', unrepresentable: 'any' }) } },
        },
      }),
      responses: {
        [d.status ?? 200]: { description: 'OK' },
        400: { $ref: '#/components/responses/Error' },
        401: { $ref: '#/components/responses/Error' },
        403: { $ref: '#/components/responses/Error' },
      },
    };
  }
  Object.assign(paths, extra.paths);
  return {
    openapi: '3.1.0',
    info: { title: 'Omnidesk API', version, description: 'Omnichannel contact center and CRM desk.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: 'An error with a code and a message',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
                    required: ['code', 'message'],
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

export const jsonRouter = () => express.Router({ mergeParams: true });
