/**
 * Builds the HTTP app (routes, validation, errors, OpenAPI). It never
 * listens: the server owns listening and shutdown, tests use inject().
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { ApiError } from '../errors.js';
import { registerCaller } from './caller.js';
import type { ApiContext } from './context.js';
import { alertRoutes } from './routes/alerts.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { callbackRoutes } from './routes/callbacks.js';
import { consoleRoutes } from './routes/console.js';
import { cronRoutes } from './routes/cron.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { heartbeatRoutes } from './routes/heartbeats.js';
import { jobRoutes } from './routes/jobs.js';
import { overviewRoutes } from './routes/overview.js';
import { runRoutes } from './routes/runs.js';
import { teamRoutes } from './routes/teams.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { groupRoutes } from './routes/worker-groups.js';

export type App = FastifyInstance;

/**
 * Unknown fields are errors, not silently dropped: a typo must not lose a
 * setting. Bodies are never coerced (0 must not become null, "5" not 5);
 * query strings and path parameters are, since they arrive as text.
 */
function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({
    removeAdditional: false,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  addFormats.default(ajv, ['date-time', 'uri']);
  return ajv;
}
const validators = { body: makeAjv(false), request: makeAjv(true) };

export async function buildApp(ctx: ApiContext, logger: FastifyBaseLogger): Promise<App> {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
    trustProxy: ctx.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.request).compile(schema),
  );
  // Only JSON bodies: anything else is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(err.toJSON());
    if ('validation' in err && err.validation) {
      const apiErr = fromValidation(err.validation, err.validationContext);
      return reply.status(400).send(apiErr.toJSON());
    }
    const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 413) return reply.status(413).send(new ApiError('payload_too_large').toJSON());
    if (status === 415) {
      return reply
        .status(415)
        .send(new ApiError('unsupported_media_type', `content type must be application/json`).toJSON());
    }
    if (status === 400) {
      return reply
        .status(400)
        .send(new ApiError('validation_error', `body: ${err.message}`, 'body').toJSON());
    }
    if (status < 500) return reply.status(status).send(new ApiError('bad_request', err.message).toJSON());
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(new ApiError('internal_error').toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(new ApiError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON()),
  );

  await app.register(cookie);
  await app.register(helmet, {
    // The console is a same-origin single-page app; antd sets inline styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'JobCenter API',
        version: ctx.version,
        description:
          'Jobs, worker groups, runs, worker callbacks, accounts and the audit log. See docs/protocol.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (jc_…)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'jobcenter_session',
            description: 'The console session; writes also need the X-CSRF-Token header',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  registerCaller(app, ctx);
  await app.register(healthRoutes(ctx));
  await app.register(consoleRoutes({ version: ctx.version }));
  await app.register(jobRoutes(ctx), { prefix: '/api/v1' });
  await app.register(runRoutes(ctx), { prefix: '/api/v1' });
  await app.register(groupRoutes(ctx), { prefix: '/api/v1' });
  await app.register(heartbeatRoutes(ctx), { prefix: '/api/v1' });
  await app.register(callbackRoutes(ctx), { prefix: '/api/v1' });
  await app.register(overviewRoutes(ctx), { prefix: '/api/v1' });
  await app.register(cronRoutes(), { prefix: '/api/v1' });
  await app.register(authRoutes(ctx), { prefix: '/api/v1' });
  await app.register(userRoutes(ctx), { prefix: '/api/v1' });
  await app.register(teamRoutes(ctx), { prefix: '/api/v1' });
  await app.register(tokenRoutes(ctx), { prefix: '/api/v1' });
  await app.register(auditRoutes(ctx), { prefix: '/api/v1' });
  await app.register(eventRoutes(ctx), { prefix: '/api/v1' });
  await app.register(alertRoutes(ctx), { prefix: '/api/v1' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** Turns the first schema violation into an error naming the field: "schedule.cron: must be string". */
export function fromValidation(issues: readonly ValidationIssue[], context: string | undefined): ApiError {
  const issue = issues[0];
  if (!issue) return new ApiError('validation_error');
  let path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  let message = issue.message ?? 'is invalid';
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
    path = path ? `${path}.${issue.params.missingProperty}` : issue.params.missingProperty;
    message = 'is required';
  } else if (
    issue.keyword === 'additionalProperties' &&
    typeof issue.params.additionalProperty === 'string'
  ) {
    path = path ? `${path}.${issue.params.additionalProperty}` : issue.params.additionalProperty;
    message = 'is not a known field';
  } else if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    message = `must be one of ${issue.params.allowedValues.join(', ')}`;
  }
  const field = path || (context === 'body' ? 'body' : (context ?? 'request'));
  const prefix = context === 'querystring' && path ? `query.${path}` : field;
  return new ApiError('validation_error', `${prefix}: ${message}`, field);
}
