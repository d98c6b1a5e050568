/**
 * GraphiQL from the API's own files (@graphql-yoga/render-graphiql bundles GraphiQL and its
 * editor workers: no CDN, so it works offline), with subscriptions that carry the token.
 * GraphiQL's graphql-ws client sends an empty connection_init (the headers of its editor go only
 * on HTTP), which the API refuses (4403). The page therefore remembers the Authorization header
 * of GraphiQL's HTTP requests (the schema's introspection, every query) and of its headers
 * editor, and puts it in the connection_init payload: `{ "authorization": "Bearer <token>" }`.
 */
import { renderGraphiQL as renderBundled } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/** Runs before GraphiQL: patches fetch (to see the headers) and WebSocket.send (to fill connection_init). */
function tokenBridge(defaultHeaders: string | undefined): string {
  return `<script>
(function () {
  var authorization = null;
  try { var h = JSON.parse(${JSON.stringify(defaultHeaders ?? '{}')}); authorization = h.Authorization || h.authorization || null; } catch (e) {}
  function fromHeaders(headers) {
    if (!headers) return;
    var value = typeof headers.get === 'function' ? headers.get('authorization') : (headers.Authorization || headers.authorization);
    if (value) authorization = value;
  }
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    try { fromHeaders(init && init.headers); if (input && input.headers) fromHeaders(input.headers); } catch (e) {}
    return originalFetch.apply(this, arguments);
  };
  var originalSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      if (typeof data === 'string' && data.indexOf('connection_init') !== -1) {
        var message = JSON.parse(data);
        if (message.type === 'connection_init') {
          message.payload = Object.assign({}, message.payload || {});
          if (!message.payload.authorization && authorization) message.payload.authorization = authorization;
          data = JSON.stringify(message);
        }
      }
    } catch (e) {}
    return originalSend.call(this, data);
  };
})();
</script>`;
}

export function renderGraphiQL(options: GraphiQLOptions): string {
  const page = renderBundled(options);
  return page.replace('<head>', `<head>${tokenBridge(options.headers)}`);
}
