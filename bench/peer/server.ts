/**
 * The peer of bench/reads.ts: @neo4j/graphql 7 over graphql-yoga, its type definitions mapped onto
 * our labels and relationship types (docs/graph-model.md), on the same Neo4j. No authorization:
 * it answers whoever asks, which only flatters it. Started by bench/reads.ts as a child process:
 *
 *   NEO4J_URI=bolt://127.0.0.1:7750 PORT=0 npx tsx bench/peer/server.ts   # prints "listening <port>"
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Neo4jGraphQL } from '@neo4j/graphql';
import { createYoga } from 'graphql-yoga';
import neo4j from 'neo4j-driver';

export const typeDefs = /* GraphQL */ `
  type User @node(labels: ["User"]) {
    id: ID!
    externalId: String
    email: String
    displayName: String
    status: String
    grants: [Grant!]! @relationship(type: "HOLDS", direction: OUT)
  }
  type Grant @node(labels: ["Grant"]) {
    id: ID!
    grantedAt: String
    direct: Boolean
    user: [User!]! @relationship(type: "HOLDS", direction: IN)
    entitlement: [Entitlement!]! @relationship(type: "OF", direction: OUT)
    justifiedBy: [AccessProfile!]!
      @cypher(
        statement: """
        MATCH (u:User)-[:HOLDS]->(this)-[:OF]->(e:Entitlement)
        MATCH (e)<-[:INCLUDES]-(p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u)
        RETURN DISTINCT p
        """
        columnName: "p"
      )
  }
  type Entitlement @node(labels: ["Entitlement"]) {
    id: ID!
    externalId: String
    name: String
    kind: String
    app: [App!]! @relationship(type: "OF_APP", direction: OUT)
    holders: [Grant!]! @relationship(type: "OF", direction: IN)
  }
  type App @node(labels: ["App"]) {
    id: ID!
    externalId: String
    name: String
  }
  type AccessProfile @node(labels: ["AccessProfile"]) {
    id: ID!
    name: String
    enrollmentEntitlement: [Entitlement!]! @relationship(type: "ENROLLMENT_ENTITLEMENT", direction: OUT)
  }
`;

const driver = neo4j.driver(process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'neo4j'));
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
if (process.env.PRINT_SCHEMA === '1') {
  const { printSchema } = await import('graphql');
  process.stdout.write(printSchema(schema));
  process.exit(0);
}
const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, logging: false });
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void driver.close().then(() => process.exit(0));
});
