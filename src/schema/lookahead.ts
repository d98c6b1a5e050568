/**
 * Looking ahead in an operation from a resolver: which fields a selection asks for below it,
 * through fragments (whose type condition applies) and honouring @skip/@include, and with what
 * arguments. Lets a lookup bring along, in its one statement, the page a field below it will ask
 * for (src/schema/node-fold.ts).
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  isAbstractType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionNode,
} from 'graphql';

type Fragments = Record<string, FragmentDefinitionNode>;

function included(node: SelectionNode | FragmentDefinitionNode, variables: Record<string, unknown>): boolean {
  if (node.kind === Kind.FRAGMENT_DEFINITION) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/**
 * The field nodes, on an object of type `typeName` selected by `fieldNodes`, of the first response
 * key (alias) that selects `fieldName`; null when none does. As graphql-js collects them, so a
 * resolver of that field would get these nodes.
 */
export function subfieldNodes(info: GraphQLResolveInfo, fieldNodes: readonly FieldNode[], typeName: string, fieldName: string): FieldNode[] | null {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return null;
  const applies = (condition: string | undefined) => {
    if (condition === undefined || condition === typeName) return true;
    const conditional = info.schema.getType(condition);
    return conditional !== undefined && isAbstractType(conditional) && info.schema.isSubType(conditional, type);
  };
  const byKey = new Map<string, FieldNode[]>();
  const visit = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (!included(selection, info.variableValues)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== fieldName) continue;
        const key = selection.alias?.value ?? fieldName;
        byKey.set(key, [...(byKey.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) visit(selection.selectionSet.selections);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment !== undefined && applies(fragment.typeCondition.name.value)) visit(fragment.selectionSet.selections);
      }
    }
  };
  for (const node of fieldNodes) if (node.selectionSet) visit(node.selectionSet.selections);
  const first = byKey.values().next();
  return first.done ? null : first.value;
}

/** The arguments the field `fieldName` of `typeName` gets at `node`, as graphql-js would give them to its resolver. */
export function argumentsOf(info: GraphQLResolveInfo, typeName: string, fieldName: string, node: FieldNode): Record<string, unknown> {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return {};
  const field = type.getFields()[fieldName];
  return field ? getArgumentValues(field, node, info.variableValues) : {};
}

/**
 * Whether `fieldNodes` select the field path (e.g. `edges.node.entitlement.app`) below them,
 * through fragments too.
 */
export function selectsPathIn(fieldNodes: readonly FieldNode[], fragments: Fragments, path: string): boolean {
  const names = path.split('.');
  const visit = (selections: readonly SelectionNode[], depth: number): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== names[depth]) return false;
        return depth === names.length - 1 || (selection.selectionSet !== undefined && visit(selection.selectionSet.selections, depth + 1));
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet.selections, depth);
      const fragment = fragments[selection.name.value];
      return fragment !== undefined && visit(fragment.selectionSet.selections, depth);
    });
  return fieldNodes.some((node) => node.selectionSet !== undefined && visit(node.selectionSet.selections, 0));
}
