/**
 * The API: graphql-yoga over node:http, graphql-ws on the same port and path. WebSocket
 * operations go through yoga.getEnveloped so both transports share plugins, context and limits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createLoaders } from './loaders.js';
import { createLogger, type Logger } from './logger.js';
import { buildSchema } from './schema/index.js';
import { createServices, type Services } from './services.js';

export interface App {
  services: Services;
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** Starts listening; port 0 picks a free one. Returns the port. */
  start(port?: number): Promise<number>;
  stop(): Promise<void>;
  url(): string;
}

type Extension = (services: Services) => void;
const extensions: Extension[] = [];
/** Capabilities (workflow, sync, events) register how they wire into the services here. */
export function extendServices(extension: Extension): void {
  extensions.push(extension);
}

/** An HTTP route beside /graphql (exports, say); it answers true when it handled the request. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, services: Services) => Promise<boolean>;
const httpRoutes: HttpRoute[] = [];
export function addHttpRoute(route: HttpRoute): void {
  httpRoutes.push(route);
}

/** Every error a client sees has a code; anything unexpected is logged and shown as INTERNAL. */
function maskError(logger: Logger) {
  return (error: unknown): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof GraphQLError && original.extensions?.code) {
      return error instanceof GraphQLError ? new GraphQLError(original.message, { ...error, extensions: original.extensions, originalError: undefined }) : original;
    }
    if (error instanceof GraphQLError && !error.originalError) {
      // Validation and parse errors: the message is about the query, safe to show.
      return new GraphQLError(error.message, { nodes: error.nodes, positions: error.positions, path: error.path, extensions: { code: error.extensions?.code ?? 'BAD_USER_INPUT' } });
    }
    logger.error('unexpected error', { message: (original as Error)?.message, stack: (original as Error)?.stack });
    return new GraphQLError('Internal error', { extensions: { code: 'INTERNAL' } });
  };
}

export interface AppOptions {
  logger?: Logger;
  /** Headers GraphiQL starts with (the demo fills in its admin token). */
  graphiqlHeaders?: Record<string, string>;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (!config.neo4j.uri) throw new Error('buildApp needs a Neo4j URI (scripts/start.ts starts the managed one)');
  const db = new Database({ uri: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password, database: config.neo4j.database }, logger);
  await migrate(db);
  const services = createServices(config, db, logger);
  for (const extension of extensions) extension(services);

  const contextFor = async (authorization: string | null | undefined): Promise<Context> => ({
    viewer: await services.auth.authenticate(authorization),
    loaders: createLoaders(db),
    services,
  });

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: {
      title: 'Access governance',
      subscriptionsProtocol: 'WS',
      ...(options.graphiqlHeaders ? { headers: JSON.stringify(options.graphiqlHeaders) } : {}),
    },
    maskedErrors: { maskError: maskError(logger) },
    context: async ({ request }) => contextFor(request.headers.get('authorization')),
    logging: { debug: () => {}, info: () => {}, warn: (...a: unknown[]) => logger.warn(String(a[0])), error: (...a: unknown[]) => logger.error(String(a[0])) },
  });

  const server: Server = createServer(async (req, res) => {
    if (req.url === '/health') {
      const healthy = await db.ping();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', neo4j: healthy }));
      return;
    }
    if (req.url === '/' ) {
      res.writeHead(302, { location: '/graphql' });
      res.end();
      return;
    }
    for (const route of httpRoutes) {
      if (await route(req, res, services)) return;
    }
    await yoga.handle(req, res);
  });

  const wsServer = new WebSocketServer({ server, path: '/graphql', maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { context?: Context }>(
    {
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
      onConnect: async (ctx) => {
        const authorization = typeof ctx.connectionParams?.authorization === 'string' ? ctx.connectionParams.authorization : null;
        const context = await contextFor(authorization);
        if (context.viewer === null) return false;
        ctx.extra.context = context;
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...ctx, params });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const base = (ctx.extra as { context?: Context }).context!;
        const contextValue = await contextFactory({ ...base, loaders: createLoaders(db) });
        return { schema, operationName: params.operationName, document, variableValues: params.variables, contextValue, rootValue: { execute, subscribe } };
      },
    },
    wsServer,
  );

  let port = 0;
  return {
    services,
    yoga,
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
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await db.close();
    },
  };
}
