/**
 * Query limits, all applied before any resolver runs, on HTTP and WebSocket alike (WebSocket
 * operations go through yoga.getEnveloped, so these envelop hooks see them too):
 * - parse: token count (graphql-armor);
 * - validate: depth, aliases, directives, static cost, field suggestions (graphql-armor);
 * - execute/subscribe, once the variables are known: `first` of every connection, the rows the
 *   nested connections could return (a list of ids multiplies what is nested under it), every
 *   string argument (length, well-formed Unicode) and every list argument (length).
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  Kind,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from '../config.js';
import { DEFAULT_PAGE_SIZE } from '../schema/connection.js';
import { limitExceeded, type LimitName } from './errors.js';

/** graphql-armor's rejections, re-issued with our code and the name of the limit. */
function reject(limit: LimitName, max: number) {
  return [
    (context: ValidationContext | null, error: GraphQLError): void => {
      const coded = limitExceeded(limit, error.message.replace(/^Syntax Error: /, ''), max);
      // The token limit runs inside the parser, which has no validation context: it throws.
      if (context === null) throw coded;
      context.reportError(coded);
    },
  ];
}

export function armorPlugin(security: SecurityConfig): Plugin {
  const common = { propagateOnRejection: false, exposeLimits: true } as const;
  return EnvelopArmorPlugin({
    // Depth is the nesting of fields: a fragment spread adds none (colocated fragments are normal).
    maxDepth: { n: security.maxDepth, flattenFragments: true, ...common, onReject: reject('depth', security.maxDepth) },
    maxAliases: { n: security.maxAliases, ...common, onReject: reject('aliases', security.maxAliases) },
    maxDirectives: { n: security.maxDirectives, ...common, onReject: reject('directives', security.maxDirectives) },
    maxTokens: { n: security.maxTokens, ...common, onReject: reject('tokens', security.maxTokens) },
    // graphql-armor's cost multiplies by literal `first` only (not variables), so a plain page of
    // 500 users costs more than any sensible limit; cost and rows are computed in checkOperation.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !security.development },
  }) as Plugin;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  maxPage: number;
  rows: number;
  /** Fields in the query with every fragment expanded at each spread: objects 2, scalars 1. */
  cost: number;
  maxCost: number;
  /** Fragment names on the current path: validation refuses cycles, this only makes sure. */
  path: Set<string>;
}

function argumentValue(walk: Walk, node: { arguments?: readonly { name: { value: string }; value: import('graphql').ValueNode }[] }, name: string): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return valueFromASTUntyped(arg.value, walk.variables);
}

// Duck-typed rather than isObjectType/getNamedType: under vitest the schema and this module may
// load different copies of graphql (CJS and ESM), and graphql's instanceof checks then throw.
function fieldsOf(type: GraphQLNamedType): Record<string, GraphQLField<unknown, unknown>> | null {
  return 'getFields' in type && typeof type.getFields === 'function'
    ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)
    : null;
}

function namedTypeOf(type: GraphQLOutputType): GraphQLNamedType {
  let current: unknown = type;
  while (current !== null && typeof current === 'object' && 'ofType' in current && (current as { ofType: unknown }).ofType) current = (current as { ofType: unknown }).ofType;
  return current as GraphQLNamedType;
}

function isListType(type: GraphQLOutputType): boolean {
  return String(type).startsWith('[');
}

/** Adds up the rows each connection may return, multiplied by the `first` of the connections around it. */
function walkSelections(walk: Walk, selectionSet: SelectionSetNode, parentType: GraphQLNamedType, multiplier: number): GraphQLError | null {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = fieldsOf(parentType)?.[selection.name.value];
      if (!field) continue;
      walk.cost += selection.selectionSet ? 2 : 1;
      // Stop as soon as the budget is spent: a fragment bomb would otherwise take exponential time here.
      if (walk.cost > walk.maxCost) return limitExceeded('cost', `The query costs more than ${walk.maxCost} (fields counted with every fragment expanded)`, walk.maxCost);
      let childMultiplier = multiplier;
      // A list field sized by its `ids` argument (`nodes(ids:)`): each id is a row, and multiplies what is nested.
      const ids = isListType(field.type) && field.args.some((a) => a.name === 'ids') ? argumentValue(walk, selection, 'ids') : undefined;
      if (Array.isArray(ids)) {
        childMultiplier = multiplier * ids.length;
        walk.rows += childMultiplier;
      }
      if (field.args.some((a) => a.name === 'first')) {
        const requested = argumentValue(walk, selection, 'first');
        const first = typeof requested === 'number' ? requested : DEFAULT_PAGE_SIZE;
        if (!Number.isInteger(first) || first < 0 || first > walk.maxPage) {
          return limitExceeded('first', `first must be from 0 to ${walk.maxPage} (${selection.name.value})`, walk.maxPage);
        }
        childMultiplier = multiplier * first;
        walk.rows += childMultiplier;
      }
      if (selection.selectionSet) {
        const problem = walkSelections(walk, selection.selectionSet, namedTypeOf(field.type), childMultiplier);
        if (problem) return problem;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parentType;
      const problem = walkSelections(walk, selection.selectionSet, type ?? parentType, multiplier);
      if (problem) return problem;
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.path.has(name)) continue;
      walk.path.add(name);
      const type = walk.schema.getType(fragment.typeCondition.name.value) ?? parentType;
      const problem = walkSelections(walk, fragment.selectionSet, type, multiplier);
      walk.path.delete(name);
      if (problem) return problem;
    }
  }
  return null;
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strings that are too long, or not well-formed UTF-16 (a lone surrogate cannot be stored as UTF-8). */
function checkString(value: string, max: number): GraphQLError | null {
  if (value.length > max) return limitExceeded('string-length', `A string argument is longer than ${max} characters`, max);
  if (LONE_SURROGATE.test(value)) return limitExceeded('string-encoding', 'A string argument is not well-formed Unicode (a lone surrogate)');
  return null;
}

function checkList(length: number, max: number): GraphQLError | null {
  return length > max ? limitExceeded('list-length', `A list argument has more than ${max} items (send it in several requests)`, max) : null;
}

/** Strings and lists anywhere in the variables, nested in inputs too. */
function checkInputsIn(value: unknown, security: SecurityConfig, depth = 0): GraphQLError | null {
  if (typeof value === 'string') return checkString(value, security.maxStringLength);
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    const problem = checkList(value.length, security.maxListLength);
    if (problem) return problem;
  }
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const problem = checkInputsIn(item, security, depth + 1);
    if (problem) return problem;
  }
  return null;
}

export interface OperationArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Record<string, unknown> | null | undefined;
}

/** The checks that need the variables: `first`, rows across nested connections and id lists, string and list arguments. */
export function checkOperation(args: OperationArgs, security: SecurityConfig, maxPageSize: number): GraphQLError | null {
  const operation = operationOf(args.document, args.operationName);
  // A variable left out takes the default the operation declares for it.
  const defaults = Object.fromEntries(
    (operation?.variableDefinitions ?? []).filter((v) => v.defaultValue).map((v) => [v.variable.name.value, valueFromASTUntyped(v.defaultValue!)]),
  );
  const variables = { ...defaults, ...(args.variableValues ?? {}) };
  const variableProblem = checkInputsIn(variables, security);
  if (variableProblem) return variableProblem;
  let literalProblem: GraphQLError | null = null;
  visit(args.document, {
    StringValue(node) {
      literalProblem ??= checkString(node.value, security.maxStringLength);
    },
    ListValue(node) {
      literalProblem ??= checkList(node.values.length, security.maxListLength);
    },
  });
  if (literalProblem) return literalProblem;

  if (!operation) return null; // graphql-js reports the missing operation itself
  const root =
    operation.operation === 'query' ? args.schema.getQueryType() : operation.operation === 'mutation' ? args.schema.getMutationType() : args.schema.getSubscriptionType();
  if (!root) return null;
  const walk: Walk = {
    schema: args.schema,
    fragments: new Map(args.document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d])),
    variables,
    maxPage: maxPageSize,
    rows: 0,
    cost: 0,
    maxCost: security.maxCost,
    path: new Set(),
  };
  const problem = walkSelections(walk, operation.selectionSet, root, 1);
  if (problem) return problem;
  if (walk.rows > security.maxRows) {
    return limitExceeded('rows', `The query could return ${walk.rows} rows across its connections; the limit is ${security.maxRows} (ask for smaller pages)`, security.maxRows);
  }
  return null;
}
