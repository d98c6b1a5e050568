/**
 * TCP_NODELAY on the driver's Bolt sockets (docs/decisions.md, "Nagle's algorithm on Bolt").
 * neo4j-driver 5 leaves Nagle's algorithm on: a statement's RUN and PULL go out as two small
 * writes, the second waits for the server's delayed ACK, and a statement that Neo4j answers in a
 * few ms took 40-70 ms at the client. The driver has no socket option, so its Node channel (the
 * one class that opens Bolt sockets, plain and TLS) is told here to set it on every socket it
 * opens: nothing else in the process is touched. test/integration/reads-compiled.test.ts checks
 * the hook still sees the driver's sockets, so an upgrade that changes the channel fails loudly.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);
let installed = false;
let tuned = 0;

/** How many Bolt sockets got TCP_NODELAY since start. */
export const boltSocketsTuned = (): number => tuned;

export function noDelayOnBoltSockets(): void {
  if (installed) return;
  installed = true;
  // The copy of the bolt connection the driver itself loads (resolved from the driver's folder).
  const path = require.resolve('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js', { paths: [dirname(require.resolve('neo4j-driver'))] });
  const channel = (require(path) as { default: { prototype: object } }).default.prototype;
  // The channel's constructor assigns its socket to `_conn`: a setter on the prototype sees it
  // first, sets TCP_NODELAY, and leaves a plain own property behind.
  Object.defineProperty(channel, '_conn', {
    configurable: true,
    get: () => undefined,
    set(this: object, socket: Socket) {
      socket.setNoDelay(true);
      tuned++;
      Object.defineProperty(this, '_conn', { value: socket, writable: true, configurable: true, enumerable: true });
    },
  });
}
