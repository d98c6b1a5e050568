/** Process entry: configuration, buildApp(), signals. */
import { pathToFileURL } from 'node:url';
import { buildApp, type App, type AppOptions } from './app.js';
import { ConfigError, parseConfig, type Config } from './config.js';

/** Starts the API and stops it cleanly on SIGINT/SIGTERM, then runs `afterStop`. */
export async function serve(config: Config, options: AppOptions & { prepare?: (app: App) => Promise<void>; afterStop?: () => Promise<void> } = {}): Promise<App> {
  const app = await buildApp(config, options);
  await options.prepare?.(app);
  await app.start(config.port);
  const shutdown = async () => {
    await app.stop();
    await options.afterStop?.();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return app;
}

/** Runs a process's main function: a configuration problem is printed plainly, anything else with its stack; exit 1. */
export async function runMain(main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMain(() => serve(parseConfig()));
}
