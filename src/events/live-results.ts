/**
 * One execution of an event per visibility class (docs/events.md, "Fan-out"). With many
 * subscribers, graphql-js would run every event through `execute` once per subscriber (its
 * `subscribe` maps the source stream through `execute`): resolvers, the scope-auth checks and
 * the DataLoaders a thousand times over for the same answer. Subscribers whose answer must be
 * the same share one execution instead:
 *
 * - the same operation: document (printed), operation name and variables;
 * - the same visibility class of the viewer *as it is at that event* (visibilityClassOf in
 *   src/auth/viewer.ts: role and scopes for those who read everything; role, scopes and user for
 *   everybody else), read from the connection in memory (src/security/live.ts keeps it current);
 * - the same delivered event (the object the dispatcher handed to every subscription: a replay's
 *   events are read for their subscriber alone and are never shared).
 *
 * Whether an event reaches a subscriber at all is still decided per subscriber (its filter and
 * authorization, src/schema/events.ts), before any execution. An event that ends a subscription
 * (its refusal) and a viewer whose credential no longer holds are executed for that subscriber
 * alone, as before.
 *
 * Hooked in as an envelop plugin that replaces the subscribe function (`setSubscribeFn`), so it
 * serves graphql-ws and SSE alike and every other plugin sees the results as before.
 */
import { initContextCache } from '@pothos/core';
import { createSourceEventStream, execute, getOperationAST, GraphQLError, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { visibilityClassOf } from '../auth/viewer.js';
import type { Context } from '../context.js';
import { createLoaders } from '../loaders.js';
import type { Services } from '../services.js';
import type { Delivery } from './records.js';
import { EventSubscription } from './subscription.js';

/** The results of one delivered event: operation key -> visibility class -> its one execution. */
type ResultsOfEvent = Map<string, Map<string, Promise<ExecutionResult>>>;

/** Contexts made for one shared execution (src/schema/events.ts does not refresh them again). */
const eventContexts = new WeakSet<object>();
export const isEventContext = (context: object): boolean => eventContexts.has(context);

/** The memo of shared executions, keyed by the delivered event object (gone with it). */
export class SharedResults {
  private readonly memo = new WeakMap<Delivery, ResultsOfEvent>();
  /** Executions run (shared or alone), and results handed to a subscriber from the memo. */
  executions = 0;
  reused = 0;

  /** The execution of `delivery` for this operation and class: run once, then the same result for each. */
  resultFor(delivery: Delivery, operation: string, visibility: string, run: () => ExecutionResult | Promise<ExecutionResult>): Promise<ExecutionResult> {
    let ofEvent = this.memo.get(delivery);
    if (ofEvent === undefined) {
      ofEvent = new Map();
      this.memo.set(delivery, ofEvent);
    }
    let ofOperation = ofEvent.get(operation);
    if (ofOperation === undefined) {
      ofOperation = new Map();
      ofEvent.set(operation, ofOperation);
    }
    const known = ofOperation.get(visibility);
    if (known !== undefined) {
      this.reused += 1;
      return known;
    }
    this.executions += 1;
    const result = Promise.resolve().then(run);
    ofOperation.set(visibility, result);
    return result;
  }

  /** An execution for one subscriber alone (a refusal, a viewer no longer valid). */
  alone(run: () => ExecutionResult | Promise<ExecutionResult>): Promise<ExecutionResult> {
    this.executions += 1;
    return Promise.resolve().then(run);
  }
}

const printed = new WeakMap<DocumentNode, string>();

/** What makes two subscriptions' executions of one event the same apart from the viewer. */
function operationKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  // Variables in the order sent: the same values in another order only share less, never wrongly.
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

/** The context of one shared execution: the class's viewer, fresh loaders, no connection of anyone's. */
function eventContext(services: Services, viewer: NonNullable<Context['viewer']>): Context {
  const context: Context = { ...initContextCache(), viewer, services, loaders: createLoaders(services.db) };
  eventContexts.add(context);
  return context;
}

/** As graphql's own subscribe reports an error of the source stream: located at the operation. */
function streamError(error: unknown, args: ExecutionArgs): GraphQLError {
  const original = error instanceof Error ? error : new Error(String(error));
  const operation = getOperationAST(args.document, args.operationName);
  return new GraphQLError(original.message, { originalError: original, nodes: operation ? [operation] : undefined });
}

/** graphql's subscribe, with each event of the event stream executed once per operation and class. */
export function sharedSubscribe(results: SharedResults) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(source instanceof EventSubscription)) {
      // Not one of the event stream's (an error result, or another kind of source): as graphql does it.
      if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
      const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      return mapped(iterator, (payload) => results.alone(() => execute({ ...args, rootValue: payload })), args);
    }
    const base = args.contextValue as Context;
    const operation = operationKey(args);
    const resultOf = (delivery: Delivery): Promise<ExecutionResult> => {
      // In memory: the connection's viewer as src/security/live.ts keeps it (null once revoked).
      const viewer = base.connection ? base.connection.viewer : base.viewer;
      if (delivery.refusal || viewer === null) return results.alone(() => execute({ ...args, rootValue: delivery }));
      return results.resultFor(delivery, operation, visibilityClassOf(viewer), () =>
        execute({ ...args, rootValue: delivery, contextValue: eventContext(base.services, viewer) }),
      );
    };
    return mapped(source, resultOf, args);
  };
}

/**
 * The source's events mapped to their results, in order. `return()` ends the source at once,
 * even while `next()` waits on it (graphql-ws calls it when the client completes).
 */
function mapped<T>(source: AsyncIterator<T>, resultOf: (value: T) => Promise<ExecutionResult>, args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const end = async (): Promise<IteratorResult<ExecutionResult>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      let step: IteratorResult<T>;
      try {
        step = await source.next();
      } catch (error) {
        throw streamError(error, args);
      }
      if (step.done) return { value: undefined, done: true };
      return { value: await resultOf(step.value), done: false };
    },
    return: end,
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The envelop plugin: every subscription (graphql-ws and SSE) goes through sharedSubscribe. */
export function sharedLiveResults(results: SharedResults): Plugin {
  const subscribe = sharedSubscribe(results);
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
