/**
 * A throwaway redis-server on a free loopback port (Debian's package, installed on first use),
 * with no persistence; stop() ends it. restart() brings it back on the same port (a Redis blip).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

function ensureRedisServer(): void {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('redis-server is missing: apt-get install -y redis-server');
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  const install = spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit' });
  if (update.status !== 0 || install.status !== 0) throw new Error('could not install redis-server');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.write('PING\r\n');
      });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startRedis(): Promise<RedisServer> {
  ensureRedisServer();
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await answers(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await launch();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: async () => {
    await stop();
    await launch();
  } };
}
