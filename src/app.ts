/**
 * The API: graphql-yoga over node:http, graphql-ws on the same port and path. WebSocket
 * operations go through yoga.getEnveloped so both transports share plugins, context and limits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createGraphQLError, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { exportRoute } from './analysis/export.js';
import { compiledExecution } from './compiled-execution.js';
import { renderGraphiQL } from './graphiql.js';
import type { Config } from './config.js';
import { consoleRoute, type ConsoleOptions } from './console.js';
import type { Context } from './context.js';
import { Database } from './db/database.js';
import { healthRoute } from './db/health.js';
import { migrate } from './db/migrate.js';
import { createLoaders } from './loaders.js';
import { createLogger, type Logger } from './logger.js';
import { buildSchema } from './schema/index.js';
import { CSRF_HEADERS, parseAndValidate, securityPlugins, WsGuard } from './security/index.js';
import { CLOSE_UNAUTHORIZED, LiveConnections } from './security/live.js';
import { sseGuard } from './security/streams.js';
import { isAllowedOrigin } from './security/ws.js';
import { createServices, type Services } from './services.js';
import { SharedResults, sharedLiveResults } from './events/live-results.js';

export interface App {
  services: Services;
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** The executions of live events shared by subscribers of one visibility class (src/events/live-results.ts). */
  liveResults: SharedResults;
  /** Starts listening; port 0 picks a free one. Returns the port. */
  start(port?: number): Promise<number>;
  stop(): Promise<void>;
  url(): string;
  /**
   * Resolves once this instance has no background work left: no change waiting for its debounce,
   * no sync or resume running, every committed event delivered, no notification under way. Each
   * may start another (a sync's completed tasks change holders), so it waits until all are quiet
   * at once. The benchmarks and the tests wait on it.
   */
  idle(): Promise<void>;
  /** What is still under way, in words (for a wait that timed out). */
  busyWith(): string[];
}

const CONTRACT_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'SAFEGUARD_PAUSED', 'SERVICE_UNAVAILABLE', 'INTERNAL']);

/**
 * Recognised by shape, not only by class: under a bundler (vitest) graphql can load twice (its
 * CommonJS and ES builds), and an error made by one copy is no instance of the other's class.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError || (error instanceof Error && error.name === 'GraphQLError');
}

/** Every error a client sees has a contract code; anything unexpected is logged and shown as INTERNAL. */
function maskError(logger: Logger) {
  return (error: unknown): Error => {
    const located = isGraphQLError(error) ? error : null;
    const original = located?.originalError ?? error;
    const location = { nodes: located?.nodes, positions: located?.positions, path: located?.path };
    const code = isGraphQLError(original) ? original.extensions?.code : undefined;
    if (typeof code === 'string' && CONTRACT_CODES.has(code)) {
      // Ours (AppError and friends): the message and details were written for the client.
      return new GraphQLError((original as GraphQLError).message, { ...location, extensions: (original as GraphQLError).extensions });
    }
    // Before execution (parse, validation, variable coercion) an error has no path: it is about the request.
    const aboutRequest = located !== null && (!located.originalError || (isGraphQLError(located.originalError) && !located.path));
    if (located && aboutRequest) {
      // Parse, validation and variable errors: the message is about the request, safe to show.
      const http = located.extensions?.http;
      return new GraphQLError(located.message, { ...location, extensions: { code: 'BAD_USER_INPUT', ...(http ? { http } : {}) } });
    }
    logger.error('unexpected error', { message: (original as Error)?.message, stack: (original as Error)?.stack });
    return new GraphQLError('Internal error', { ...location, extensions: { code: 'INTERNAL' } });
  };
}

export interface AppOptions {
  logger?: Logger;
  /** Headers GraphiQL starts with (the demo fills in its admin token). */
  graphiqlHeaders?: Record<string, string>;
  /** The admin console at /console (src/console.ts); the demo passes its personas. */
  console?: ConsoleOptions;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (!config.neo4j.uri) throw new Error('buildApp needs a Neo4j URI (scripts/start.ts starts the managed one)');
  const db = new Database(
    { uri: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password, database: config.neo4j.database, maxRetryMs: config.neo4j.maxRetryMs, unavailableMs: config.neo4j.unavailableMs },
    logger,
  );
  await migrate(db);
  const services = createServices(config, db, logger);

  const contextFor = async (authorization: string | null | undefined): Promise<Context> => ({
    viewer: await services.auth.authenticate(authorization),
    loaders: createLoaders(db),
    services,
  });

  // Open WebSockets and SSE streams: one per-user cap, and their credential kept current (src/security/live.ts).
  const wsGuard = new WsGuard(config.security);
  const live = new LiveConnections({ auth: services.auth, limiter: wsGuard.connections, logger, recheckMs: config.security.connectionRecheckMs });
  services.eventStream.beforeSubscribers((deliveries) => {
    // Another instance's credential changes: cached viewers first, then the open connections.
    services.auth.credentialChanged(deliveries.map((delivery) => delivery.event));
    live.credentialChanged(deliveries);
  });
  const liveResults = new SharedResults();

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL from local files (no CDN), its subscriptions carrying the token (src/graphiql.ts).
    renderGraphiQL,
    graphiql: {
      title: 'Access governance',
      subscriptionsProtocol: 'WS',
      ...(options.graphiqlHeaders ? { headers: JSON.stringify(options.graphiqlHeaders) } : {}),
    },
    maskedErrors: { maskError: maskError(logger) },
    // CORS only for the allowed origins (ALLOWED_ORIGINS, or the API's own): a browser page from
    // anywhere else gets no CORS headers, so it can neither read answers nor send credentials.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !isAllowedOrigin(origin, request.headers.get('host'), config.security.allowedOrigins)) return false;
      return { origin, credentials: true, allowedHeaders: ['authorization', 'content-type', ...CSRF_HEADERS], methods: ['GET', 'POST'] };
    },
    // Last: each event of a subscription is executed once per operation and visibility class.
    plugins: [...securityPlugins(config, services), sseGuard(live, config.security), sharedLiveResults(liveResults), compiledExecution()],
    // One operation per request: an array body would multiply what one request may ask for.
    batching: false,
    // WebSocket operations arrive with the context onConnect built (no request): keep it as it is.
    context: async (initial) => ((initial as { request?: Request }).request ? contextFor(initial.request.headers.get('authorization')) : (initial as unknown as Context)),
    // Yoga logs clients' errors (refused auth, CSRF) too: those are warnings; the unexpected ones
    // are logged with their stack by maskError.
    logging: { debug: () => {}, info: () => {}, warn: (...a: unknown[]) => logger.warn(String(a[0])), error: (...a: unknown[]) => logger.warn(String(a[0])) },
  });

  const consoleFiles = consoleRoute(options.console);
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/health') return healthRoute(res, db.availability);
    // The admin console (/console, and GET / from a browser).
    if (consoleFiles(req, res)) return;
    if (req.url === '/' ) {
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    // The CSV exports (/export/<report>.csv) answer beside /graphql.
    if (await exportRoute(req, res, services)) return;
    await yoga.handle(req, res);
  });

  const wsServer = new WebSocketServer({ server, path: '/graphql', maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { context?: Context }>(
    {
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
      onConnect: async (ctx) => {
        // A refusal closes the socket with 4403 (graphql-ws).
        if (!wsGuard.originAllowed(ctx.extra.request)) return false;
        const authorization = typeof ctx.connectionParams?.authorization === 'string' ? ctx.connectionParams.authorization : null;
        const context = await contextFor(authorization);
        if (context.viewer === null) return false;
        // Over the per-user cap: refused (4403). A revoked token or disabled user later: closed with 4401.
        const connection = live.admit('ws', context.viewer, (reason) => ctx.extra.socket.close(CLOSE_UNAUTHORIZED, reason));
        if (connection === null) return false;
        // The socket closed while its token was read: onClose has run already, free the slot here.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
          live.release(connection);
          return false;
        }
        ctx.extra.context = { ...context, connection };
        return true;
      },
      onClose: (ctx) => {
        const connection = ctx.extra.context?.connection;
        if (connection) live.release(connection);
      },
      onSubscribe: async (ctx, _id, params) => {
        // Every operation runs as the connection's viewer as it is now.
        const base = (ctx.extra as { context?: Context }).context!;
        const viewer = await live.current(base.connection!);
        if (viewer === null) return [createGraphQLError('The token or its user is no longer valid', { extensions: { code: 'UNAUTHENTICATED' } })];
        const enveloped = yoga.getEnveloped({ ...ctx, params });
        const { schema, execute, subscribe, contextFactory } = enveloped;
        // Parse and validate without throwing: a thrown parse error would close the whole socket.
        const parsed = parseAndValidate(enveloped, params.query);
        if ('errors' in parsed) return [...parsed.errors];
        const document = parsed.document;
        const contextValue = await contextFactory({ ...base, viewer, loaders: createLoaders(db) });
        return { schema, operationName: params.operationName, document, variableValues: params.variables, contextValue, rootValue: { execute, subscribe } };
      },
    },
    wsServer,
  );

  const busyWith = (): string[] =>
    [
      services.syncTriggers.busy ? 'automatic syncs (a change waits for its debounce, or a sync runs)' : null,
      services.sync.busy ? 'a sync or resume' : null,
      services.eventSequencer.busy ? 'sequencing events' : null,
      services.eventStream.busy ? 'event delivery' : null,
      services.notifier?.busy ? 'a webhook notification' : null,
      services.audit.sealer.busy ? 'chaining audit entries' : null,
    ].filter((x): x is string => x !== null);
  const idle = async (): Promise<void> => {
    do {
      await services.syncTriggers.idle();
      await services.sync.idle();
      await services.eventSequencer.idle();
      await services.eventStream.idle();
      await services.notifier?.idle();
      await services.audit.sealer.idle();
    } while (busyWith().length > 0);
  };

  let port = 0;
  return {
    idle,
    busyWith,
    services,
    yoga,
    liveResults,
    url: () => `http://127.0.0.1:${port}/graphql`,
    start: (requested = config.port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(requested, () => {
          port = (server.address() as AddressInfo).port;
          logger.info('listening', { url: `http://localhost:${port}/graphql` });
          resolve(port);
        });
      }),
    stop: async () => {
      for (const stop of services.stoppers) await stop();
      live.stop();
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await db.close();
    },
  };
}
