/** My tasks: the reviewer's inbox (approve / deny with a comment) and the provisioner's queue (done / failed with a reason), live. */
import { useRef, useState } from 'react';
import { graphql } from '../gql';
import type { ConsoleTasksQuery } from '../gql/graphql';
import { Empty, ErrorText, formatDate, Loaded, useMutation, useQuery, useSubscription } from '../hooks';
import { Link } from '../router';

const TasksQuery = graphql(`
  query ConsoleTasks($assigned: Boolean, $userId: ID) {
    tasks(first: 200, assignedToViewer: $assigned, userId: $userId, states: [PENDING_APPROVAL, PENDING_PROVISIONING]) {
      totalCount
      edges {
        node {
          id
          kind
          state
          origin
          reason
          createdAt
          user {
            id
            displayName
            email
          }
          entitlement {
            id
            name
            kind
            app {
              name
            }
          }
          profile {
            id
            name
          }
          approvers {
            displayName
          }
          provisioners {
            displayName
          }
        }
      }
    }
  }
`);

const TaskEvents = graphql(`
  subscription ConsoleTaskEvents($assigned: Boolean, $userId: ID) {
    taskEvents(assignedToViewer: $assigned, userId: $userId) {
      type
      cursor
    }
  }
`);

const Approve = graphql(`
  mutation ConsoleApprove($id: ID!, $comment: String) {
    approveTask(taskId: $id, comment: $comment) {
      id
      state
    }
  }
`);
const Deny = graphql(`
  mutation ConsoleDeny($id: ID!, $comment: String) {
    denyTask(taskId: $id, comment: $comment) {
      id
      state
    }
  }
`);
const Complete = graphql(`
  mutation ConsoleComplete($id: ID!) {
    completeProvisioning(taskId: $id) {
      id
      state
    }
  }
`);
const Fail = graphql(`
  mutation ConsoleFail($id: ID!, $reason: String!) {
    failProvisioning(taskId: $id, reason: $reason) {
      id
      state
    }
  }
`);

type Task = ConsoleTasksQuery['tasks']['edges'][number]['node'];

function what(task: Task): string {
  const verb = task.kind === 'GRANT' ? 'Give' : 'Take away';
  if (task.entitlement.kind === 'PROFILE_ENROLLMENT' && task.profile) return `${task.kind === 'GRANT' ? 'Enroll in' : 'Unenroll from'} ${task.profile.name}`;
  return `${verb} ${task.entitlement.app?.name ?? '—'}: ${task.entitlement.name}`;
}

function ReviewRow({ task, onDone }: { task: Task; onDone: (message: string) => void }) {
  const [comment, setComment] = useState('');
  const approve = useMutation(Approve);
  const deny = useMutation(Deny);
  const id = `comment-${task.id}`;
  const act = async (approved: boolean) => {
    const result = approved ? await approve.mutate({ id: task.id, comment: comment || null }) : await deny.mutate({ id: task.id, comment: comment || null });
    if (result) onDone(`${approved ? 'Approved' : 'Denied'}: ${what(task)} for ${task.user.displayName}.`);
  };
  return (
    <tr>
      <td>{task.user.displayName}</td>
      <td>{what(task)}</td>
      <td>{task.reason ?? <span className="muted">{task.origin.toLowerCase().replace(/_/g, ' ')}</span>}</td>
      <td>{formatDate(task.createdAt)}</td>
      <td>
        <label htmlFor={id} className="visually-hidden">
          Comment on {what(task)} for {task.user.displayName}
        </label>
        <input id={id} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Comment (optional)" />
        <div className="row">
          <button type="button" onClick={() => void act(true)} disabled={approve.running || deny.running} aria-label={`Approve ${what(task)} for ${task.user.displayName}`}>
            Approve
          </button>
          <button type="button" className="danger" onClick={() => void act(false)} disabled={approve.running || deny.running} aria-label={`Deny ${what(task)} for ${task.user.displayName}`}>
            Deny
          </button>
        </div>
        <ErrorText error={approve.error ?? deny.error} />
      </td>
    </tr>
  );
}

function ProvisionRow({ task, onDone }: { task: Task; onDone: (message: string) => void }) {
  const [reason, setReason] = useState('');
  const complete = useMutation(Complete);
  const fail = useMutation(Fail);
  const id = `reason-${task.id}`;
  return (
    <tr>
      <td>{task.user.displayName}</td>
      <td>{what(task)}</td>
      <td>{formatDate(task.createdAt)}</td>
      <td>
        <div className="row">
          <button
            type="button"
            onClick={async () => (await complete.mutate({ id: task.id })) && onDone(`Done: ${what(task)} for ${task.user.displayName}.`)}
            aria-label={`Done: ${what(task)} for ${task.user.displayName}`}
          >
            Done
          </button>
        </div>
        <label htmlFor={id} className="visually-hidden">
          Why {what(task)} for {task.user.displayName} failed
        </label>
        <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason it failed" />
        <button
          type="button"
          className="danger"
          disabled={!reason.trim()}
          onClick={async () => (await fail.mutate({ id: task.id, reason: reason.trim() })) && onDone(`Failed: ${what(task)} for ${task.user.displayName}.`)}
          aria-label={`Failed: ${what(task)} for ${task.user.displayName}`}
        >
          Failed
        </button>
        <ErrorText error={complete.error ?? fail.error} />
      </td>
    </tr>
  );
}

export function Tasks({ userId }: { userId: string | null }) {
  const variables = userId ? { assigned: null, userId } : { assigned: true, userId: null };
  const state = useQuery(TasksQuery, variables);
  const [message, setMessage] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const liveError = useSubscription(TaskEvents, variables, () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void state.reload(), 150);
  });
  const done = (text: string) => {
    setMessage(text);
    void state.reload();
  };

  return (
    <>
      <h1>{userId ? 'Open tasks of one user' : 'My tasks'}</h1>
      {userId ? (
        <p>
          <Link to="/tasks">Back to my tasks</Link>
        </p>
      ) : (
        <p className="muted">What waits on you: approvals to decide, and access to provision by hand. The list updates by itself.</p>
      )}
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
      <ErrorText error={liveError} />
      <Loaded state={state} what="tasks">
        {(data) => {
          const tasks = data.tasks.edges.map((e) => e.node);
          const toReview = tasks.filter((t) => t.state === 'PENDING_APPROVAL');
          const toProvision = tasks.filter((t) => t.state === 'PENDING_PROVISIONING');
          return (
            <>
              <section className="card" aria-labelledby="review-title">
                <h2 id="review-title">
                  To review <span className="count">({toReview.length})</span>
                </h2>
                {toReview.length === 0 ? (
                  <Empty>Nothing to review.</Empty>
                ) : (
                  <table>
                    <caption className="visually-hidden">Tasks awaiting your decision</caption>
                    <thead>
                      <tr>
                        <th scope="col">For</th>
                        <th scope="col">What</th>
                        <th scope="col">Why</th>
                        <th scope="col">Since</th>
                        <th scope="col">Decision</th>
                      </tr>
                    </thead>
                    <tbody>
                      {toReview.map((t) => (
                        <ReviewRow key={t.id} task={t} onDone={done} />
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
              <section className="card" aria-labelledby="provision-title">
                <h2 id="provision-title">
                  To provision <span className="count">({toProvision.length})</span>
                </h2>
                {toProvision.length === 0 ? (
                  <Empty>Nothing to provision.</Empty>
                ) : (
                  <table>
                    <caption className="visually-hidden">Approved access to carry out by hand</caption>
                    <thead>
                      <tr>
                        <th scope="col">For</th>
                        <th scope="col">What</th>
                        <th scope="col">Since</th>
                        <th scope="col">Outcome</th>
                      </tr>
                    </thead>
                    <tbody>
                      {toProvision.map((t) => (
                        <ProvisionRow key={t.id} task={t} onDone={done} />
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
