/** Process entry: configuration, buildApp(), signals. */
import { buildApp } from './app.js';
import { ConfigError, parseConfig } from './config.js';
import './capabilities.js';

try {
  const config = parseConfig();
  const app = await buildApp(config);
  await app.start(config.port);
  const shutdown = async () => {
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
}
