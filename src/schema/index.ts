/** Gathers the schema files; each registers its types, queries and mutations on the builder. */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from '../builder.js';
import './connection.js';
import './node-fold.js';
import './user.js';
import './app.js';
import './entitlement.js';
import './grant.js';
import './policy.js';
import './profile.js';
import './profile-items.js';
import './ingest.js';
import './auth.js';
import './settings.js';
import './task.js';
import './workflow.js';
import './sync.js';
import './membership-decisions.js';
import './membership.js';
import './missing-access.js';
import './analysis.js';
import './analysis-what-if.js';
import './analysis-hygiene.js';
import './events.js';
import './audit.js';

let schema: GraphQLSchema | undefined;
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
