import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Ajv } from 'ajv';
import Fastify, { type FastifyReply, type FastifySchemaValidationError } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DEFAULT_RULE_LIMITS, isDependencyError, noMessageTracing, silentLogger } from '@kafka-monitor/domain';
import type { EventBus, Logger, MessageTracing, RuleLimits, Store } from '@kafka-monitor/domain';
import { createProcessMetrics, currentBuild, type ProcessMetrics } from '@kafka-monitor/pipeline';
import type { GeneratorDto } from '../contract.js';
import {
  HttpError,
  dependencyErrorText,
  errorBody,
  errorResponses,
  retryAfterSeconds,
  type MonitorApp,
} from './app-types.js';
import { createLiveStream, type LiveStream } from './live-stream.js';
import { createMonitorMetrics, type MonitorMetrics } from './metrics.js';
import { trackRoutesForMethodNotAllowed } from './method-not-allowed.js';
import { OPENAPI_VERSION, finishDocument, type OpenApiDocument } from './openapi-document.js';
import { createLagHistory, type LagHistory } from './lag-history.js';
import { createProcessorStatusReader, type ProcessorStatusReader } from './processor-status.js';
import { securityHeaders } from './security-headers.js';
import { startDeadLetterCollector } from './dead-letter-collector.js';
import { registerCommandRoutes, type MutatingRoute } from './routes/command-routes.js';
import { registerDeadLetterRoutes } from './routes/dead-letter-routes.js';
import { registerHealthRoutes, type ReadinessState } from './routes/health-routes.js';
import { registerLiveRoutes } from './routes/live-routes.js';
import { readStats, registerReadRoutes, type DiskReport } from './routes/read-routes.js';
import { registerStoreRoutes } from './routes/store-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerReviewRoutes } from './routes/review-routes.js';
import { registerRuleRoutes } from './routes/rule-routes.js';
import { createAuditor } from './auditor.js';
import { createRebuilder } from './rebuilder.js';
import { registerRebuildRoutes } from './routes/rebuild-routes.js';
import { createSharedAnswers } from './shared-answers.js';

export interface MonitorOptions {
  /** When set, mutating routes need `Authorization: Bearer <token>`. */
  readonly apiToken?: string | undefined;
  /** Origins allowed by CORS besides the page's own. */
  readonly corsOrigins?: readonly string[];
  readonly busType: string;
  readonly storeType: string;
  /** The `cluster_name` label of the lag metrics (KAFKA_CLUSTER_NAME; default `kafka-monitor`). */
  readonly clusterName?: string;
  readonly statusWaitMs?: number;
  /** Mutating requests allowed per client address per minute. */
  readonly mutationsPerMinute?: number;
  readonly defaultGenerator?: GeneratorDto;
  readonly feedPollMs?: number;
  readonly heartbeatMs?: number;
  /** Read the dead-letter topics into the store (default true); off for a monitor that only serves. */
  readonly collectDeadLetters?: boolean;
  /** Folder of the built dashboard (index.html + assets), served at `/`. */
  readonly webRoot?: string;
  /**
   * Every this many ms the groups' lag is sampled into the history, clients or not (default 5,000);
   * 0 samples only when the figures are read.
   */
  readonly lagSampleMs?: number;
  /** Refill the lag history from the log at start (default true). */
  readonly restoreLagHistory?: boolean;
  /** REVIEW_SLA_MINUTES: a pending order waiting longer is overdue (default 30). */
  readonly reviewSlaMinutes?: number;
  /** REVIEW_EXPIRY, shown by the review queue (the registry processor applies it; default off). */
  readonly reviewExpiry?: 'deny' | 'accept' | 'off';
  /** The rules' limits (RULE_*) the registry validates with; the specification's when absent. */
  readonly ruleLimits?: RuleLimits;
  /** The newest registry messages GET /api/rules/stats reads (default 100,000). */
  readonly ruleStatsScanLimit?: number;
  /**
   * How long the answers of `/api/stats` and `/api/timeline` are shared between requests, in ms
   * (default 250; 0 shares nothing). Bounds how stale they can be.
   */
  readonly sharedAnswersMs?: number;
}

export interface MonitorDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  readonly newId: () => string;
  readonly options: MonitorOptions;
  readonly logger?: Logger;
  /**
   * The process's one metrics registry, shared with the processors of this process; a monitor built
   * without one (tests) makes its own.
   */
  readonly metrics?: ProcessMetrics;
  /** The process's readiness, answered on `/health/ready`. */
  readonly readiness?: () => ReadinessState;
  /** The disk of DATA_DIR, in `/api/health` (a process on Kafka and Cassandra has none to watch). */
  readonly disk?: () => DiskReport;
  /** Traces the messages the API sends (orders, decisions, redriven dead letters); off when absent. */
  readonly tracing?: MessageTracing;
}

export interface Monitor {
  readonly app: MonitorApp;
  readonly metrics: MonitorMetrics;
  readonly stream: LiveStream;
  /** The kept lag samples; tests seed an hour of them to check what a page load shows. */
  readonly lagHistory: LagHistory;
}

const BODY_LIMIT_BYTES = 64 * 1024;
/** kafka-lag-exporter's `cluster_name` when none is configured (runtime's KAFKA_CLUSTER_NAME default). */
const DEFAULT_CLUSTER_NAME = 'kafka-monitor';
const MAX_PARAM_LENGTH = 1_024;
/** REVIEW_SLA_MINUTES' default in runtime's configuration. */
const DEFAULT_REVIEW_SLA_MINUTES = 30;

const INTEGER_TEXT = /^-?[0-9]+$/;
const NUMBER_TEXT = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

interface Validator {
  (data: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
}

/**
 * A text part (query, path, headers) is coerced to its schema's types, but only from the text of that
 * type: `limit=0.0` or `limit=` is refused, not read as 0 (Ajv's coercion would accept both).
 */
function strictNumbers(schema: object, validate: Validator): Validator {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const numeric = Object.entries(properties).filter(([, s]) => s.type === 'integer' || s.type === 'number');
  if (numeric.length === 0) return validate;
  const check: Validator = (data) => {
    for (const [name, property] of numeric) {
      const value = (data as Record<string, unknown> | null | undefined)?.[name];
      const integer = property.type === 'integer';
      if (typeof value === 'string' && !(integer ? INTEGER_TEXT : NUMBER_TEXT).test(value)) {
        check.errors = [
          {
            instancePath: `/${name}`,
            schemaPath: `#/properties/${name}/type`,
            keyword: 'type',
            params: { type: property.type },
            message: integer ? 'must be an integer, in digits' : 'must be a number',
          },
        ];
        return false;
      }
    }
    const valid = validate(data);
    check.errors = validate.errors ?? null;
    return valid;
  };
  return check;
}

/**
 * Every schema problem is reported at once, so a client can fix a request in one go, and unknown
 * fields are refused instead of silently dropped. Query strings, path parameters and headers are text
 * by nature and are coerced to their schema's types (`?limit=10`); a JSON body keeps its own types, so
 * `"quantity": "3"` is refused rather than read as 3.
 */
function requestValidators() {
  const options = { allErrors: true, removeAdditional: false, useDefaults: true, addUsedSchema: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const text = new Ajv({ ...options, coerceTypes: 'array' });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }): Validator =>
    httpPart === 'body'
      ? (body.compile(schema) as Validator)
      : strictNumbers(schema, text.compile(schema) as Validator);
}

/** Builds the HTTP application without listening, so tests and the process share one definition. */
export async function buildMonitor(deps: MonitorDeps): Promise<Monitor> {
  const { options, store } = deps;
  const logger = deps.logger ?? silentLogger;
  const app: MonitorApp = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // A body's `__proto__` or `constructor.prototype` key is dropped rather than the whole body refused:
    // the schemas allow keys they do not name, and such a key must never reach an object's prototype.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Ids up to the 256 characters the schemas allow, instead of a bare 414 past 100.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Requests the router refuses before any route (an over-long id, a malformed URL) still get the
    // JSON error envelope and a 400, like any other bad input.
    frameworkErrors: (error, _request, reply) => {
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`
          : 'malformed URL';
      // This hook's reply is typed before the type provider applies; it is the plain reply underneath.
      void (reply as unknown as FastifyReply).code(400).send(errorBody(message));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(requestValidators());
  const answerUnrouted = trackRoutesForMethodNotAllowed(app);

  const lagSampleMs = options.lagSampleMs ?? 5_000;
  const lagHistory = createLagHistory(lagSampleMs > 0 ? { sampleEveryMs: lagSampleMs } : {});
  const status = createProcessorStatusReader({ bus: deps.bus, store, now: deps.now, history: lagHistory });
  const stream = createLiveStream({
    store,
    logger,
    readStats: () => readStats(store, deps.now()),
    readProcessors: () => status.read(),
    ...(options.feedPollMs === undefined ? {} : { feedPollMs: options.feedPollMs }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  const metrics = createMonitorMetrics({
    store,
    status,
    processMetrics:
      deps.metrics ?? createProcessMetrics(currentBuild({ bus: options.busType, store: options.storeType })),
    clusterName: options.clusterName ?? DEFAULT_CLUSTER_NAME,
    now: deps.now,
    liveStreamClients: () => stream.clientCount(),
    reviewSlaMs: (options.reviewSlaMinutes ?? DEFAULT_REVIEW_SLA_MINUTES) * 60_000,
  });

  const token = options.apiToken;
  await app.register(swagger, {
    openapi: {
      openapi: OPENAPI_VERSION,
      info: {
        title: 'Kafka Monitor API',
        version: '1.0.0',
        description:
          'Views, registry, live stream and processor status of the order pipeline. ' +
          (token === undefined
            ? 'No token is configured: every operation is open.'
            : 'Operations that change something need the bearer token (MONITOR_API_TOKEN).'),
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'MONITOR_API_TOKEN' } },
      },
    },
    transformObject: (documentObject) =>
      'openapiObject' in documentObject
        ? finishDocument(documentObject.openapiObject as OpenApiDocument)
        : documentObject.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  // Before any route runs, so error answers carry them too.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeaders(request.url));
    done();
  });
  app.addHook('onRequest', answerUnrouted);
  // Same-origin only unless origins are listed: without any, a browser page elsewhere gets no CORS
  // headers, which is what having no CORS handling at all answers (and costs no hook per request).
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...options.corsOrigins], methods: ['GET', 'POST', 'PUT'] });
  }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(context.statusCode, `rate limit exceeded: at most ${context.max} changes per ${context.after}`),
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody(`no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  app.setErrorHandler((error: { statusCode?: number; message: string; errors?: unknown }, request, reply) => {
    if (isDependencyError(error)) {
      logger.warn({ err: error, url: request.url }, 'dependency unavailable');
      return reply
        .code(503)
        .header('retry-after', String(retryAfterSeconds(error)))
        .send(errorBody(dependencyErrorText(error)));
    }
    const code = error.statusCode;
    if (code !== undefined && code >= 400 && code < 500) {
      return reply.code(code).send(errorBody(error.message, error instanceof HttpError ? error.errors : undefined));
    }
    logger.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send(errorBody('internal error'));
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  const mutating: MutatingRoute = {
    guard: {
      config: { rateLimit: { max: options.mutationsPerMinute ?? 600, timeWindow: '1 minute' } },
      // Before the body is read or validated: without the token, nothing about the request is answered.
      onRequest: (request, _reply, done) => {
        if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
          done(new HttpError(401, 'missing or wrong bearer token'));
          return;
        }
        done();
      },
    },
    schema: token === undefined ? {} : { security: [{ bearer: [] }] },
    errors: token === undefined ? errorResponses(429) : errorResponses(401, 429),
  };

  registerReadRoutes(app, {
    bus: deps.bus,
    store,
    busType: options.busType,
    storeType: options.storeType,
    now: deps.now,
    ...(deps.disk === undefined ? {} : { disk: deps.disk }),
    sharedAnswers: createSharedAnswers({ maxAgeMs: options.sharedAnswersMs ?? 250 }),
  });
  registerCommandRoutes(app, {
    bus: deps.bus,
    store,
    now: deps.now,
    newId: deps.newId,
    statusWaitMs: options.statusWaitMs ?? 3_000,
    defaultGenerator: options.defaultGenerator ?? { 'order-rate': 10, 'anomaly-rate': 0.1 },
    mutating,
    tracing: deps.tracing ?? noMessageTracing,
  });
  registerReviewRoutes(app, {
    bus: deps.bus,
    store,
    now: deps.now,
    newId: deps.newId,
    slaMinutes: options.reviewSlaMinutes ?? DEFAULT_REVIEW_SLA_MINUTES,
    expiry: options.reviewExpiry ?? 'off',
    statusWaitMs: options.statusWaitMs ?? 3_000,
    mutating,
    tracing: deps.tracing ?? noMessageTracing,
  });
  registerDeadLetterRoutes(app, {
    bus: deps.bus,
    store,
    now: deps.now,
    mutating,
    tracing: deps.tracing ?? noMessageTracing,
  });
  registerLiveRoutes(app, { status, stream, metrics });
  registerStoreRoutes(app, { store, storeType: options.storeType, now: deps.now });
  registerAuditRoutes(app, { auditor: createAuditor({ bus: deps.bus, store, now: deps.now }), mutating });
  const rebuilder = createRebuilder({
    bus: deps.bus,
    store,
    now: deps.now,
    onChange: (state) => stream.publish('rebuild', state),
  });
  registerRebuildRoutes(app, { rebuilder, mutating });
  registerRuleRoutes(app, {
    bus: deps.bus,
    registry: store.registry,
    now: deps.now,
    limits: options.ruleLimits ?? DEFAULT_RULE_LIMITS,
    mutating,
    ...(options.ruleStatsScanLimit === undefined ? {} : { statsScanLimit: options.ruleStatsScanLimit }),
  });
  registerHealthRoutes(app, deps.readiness === undefined ? {} : { readiness: deps.readiness });
  await registerDashboard(app, options.webRoot);
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  const collector =
    options.collectDeadLetters === false
      ? undefined
      : await startDeadLetterCollector({ bus: deps.bus, deadLetters: store.deadLetters, now: deps.now, logger });
  // Before the server stops listening: closing waits for open connections to end, and live-stream
  // clients never end theirs, so a monitor told to stop would wait for them forever.
  app.addHook('preClose', (done) => {
    stream.close();
    done();
  });
  const sampler = startLagSampling(status, lagSampleMs, options.restoreLagHistory ?? true, logger);
  app.addHook('onClose', async () => {
    clearInterval(sampler);
    await collector?.stop();
  });
  return { app, metrics, stream, lagHistory };
}

/**
 * Keeps the lag history going whether anyone reads the figures or not, after refilling it from the log
 * in the background (a long log takes a few seconds on Kafka; the figures are served meanwhile).
 */
function startLagSampling(
  status: ProcessorStatusReader,
  everyMs: number,
  restore: boolean,
  logger: Logger,
): ReturnType<typeof setInterval> | undefined {
  if (restore) {
    status.restore().then(
      (samples) => logger.info({ samples }, 'lag history restored from the log'),
      (error: unknown) => logger.warn({ err: error }, 'lag history not restored'),
    );
  }
  if (everyMs <= 0) return undefined;
  const timer = setInterval(() => {
    status.lags().catch((error: unknown) => logger.debug({ err: error }, 'lag sample failed'));
  }, everyMs);
  timer.unref();
  return timer;
}

/** The dashboard's own pages get a strict Content-Security-Policy: scripts and styles only from here. */
const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

async function registerDashboard(app: MonitorApp, webRoot: string | undefined): Promise<void> {
  if (webRoot !== undefined && existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: 'index.html',
      wildcard: false,
      setHeaders: (response, path) => {
        void response.header('content-security-policy', DASHBOARD_CSP);
        // Built assets carry a content hash in their names, so they never change; the page and the
        // icons keep their names and always revalidate.
        void response.header(
          'cache-control',
          path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    return;
  }
  app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send('The dashboard is not built. Run `npm run build:web` (npm start does it for you).'),
  );
}
