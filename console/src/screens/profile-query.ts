import { graphql } from '../gql';

export const ProfileQuery = graphql(`
  query ConsoleProfile($id: ID!) {
    node(id: $id) {
      ... on AccessProfile {
        id
        name
        description
        allowEnrollmentRequests
        bypassItemRequestPolicies
        bypassItemRevokePolicies
        unenrollmentAction
        items {
          id
          name
          externalId
          app {
            name
          }
        }
        automation {
          enabled
          mode
          pauseOnAnomalies
          condition {
            id
            name
            app {
              name
            }
          }
        }
        members(first: 25) {
          totalCount
          edges {
            node {
              id
              displayName
              email
              externalId
            }
          }
        }
        pendingEnrollments {
          count
          users(first: 100) {
            edges {
              node {
                id
                displayName
                email
              }
            }
          }
          tasks(first: 100) {
            edges {
              node {
                id
                state
                createdAt
                user {
                  id
                }
                approvers {
                  displayName
                }
              }
            }
          }
        }
        pausedSync {
          id
          pauseReason
        }
        syncRuns(first: 10) {
          totalCount
          edges {
            node {
              id
              state
              trigger
              startedAt
              finishedAt
              enrollTasksCreated
              unenrollTasksCreated
              cancelledTasks
              failReason
              pauseReason
            }
          }
        }
      }
    }
  }
`);
