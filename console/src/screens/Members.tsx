/** Members, the pending enrollments above them (users, then their open tasks), and Enroll users. */
import { useState } from 'react';
import { graphql } from '../gql';
import { Empty, ErrorText, formatDate, useMutation } from '../hooks';
import { UserPicker, type Picked } from '../pickers';
import { Link } from '../router';
import type { ProfileData } from './Profile';

const EnrollUsers = graphql(`
  mutation ConsoleEnrollUsers($profileId: ID!, $userIds: [ID!]!) {
    enrollUsers(profileId: $profileId, userIds: $userIds) {
      id
    }
  }
`);

export function Members({ profile, onChange }: { profile: ProfileData; onChange: () => Promise<void> }) {
  const [showPending, setShowPending] = useState(false);
  const [enrolling, setEnrolling] = useState(false);
  const [picked, setPicked] = useState<Picked[]>([]);
  const [message, setMessage] = useState('');
  const enroll = useMutation(EnrollUsers);
  const pending = profile.pendingEnrollments;
  const members = profile.members;
  const tasksOf = (userId: string) => pending?.tasks.edges.filter((t) => t.node.user.id === userId).map((t) => t.node) ?? [];

  const enrollPicked = async () => {
    const tasks = await enroll.mutate({ profileId: profile.id, userIds: picked.map((p) => p.id) });
    if (!tasks) return;
    setMessage(`${tasks.enrollUsers.length} enrollment task${tasks.enrollUsers.length === 1 ? '' : 's'} created; they appear under pending enrollments until decided.`);
    setPicked([]);
    setEnrolling(false);
    await onChange();
  };

  return (
    <section className="card" aria-labelledby="members-title">
      <div className="row spread">
        <h2 id="members-title">Members {members ? <span className="count">({members.totalCount})</span> : null}</h2>
        <button type="button" onClick={() => setEnrolling(!enrolling)} aria-expanded={enrolling}>
          Enroll users
        </button>
      </div>
      {pending ? (
        <button type="button" className="pending" onClick={() => setShowPending(!showPending)} aria-expanded={showPending} aria-controls="pending-list">
          Pending enrollments: {pending.count}
        </button>
      ) : null}
      {showPending && pending ? (
        <div id="pending-list" className="pending-list">
          {pending.count === 0 ? (
            <Empty>Nobody is waiting to be enrolled.</Empty>
          ) : (
            <table>
              <caption>Users awaiting enrollment</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Waiting on</th>
                  <th scope="col">Since</th>
                  <th scope="col">Open tasks</th>
                </tr>
              </thead>
              <tbody>
                {pending.users.edges.map(({ node: user }) => {
                  const tasks = tasksOf(user.id);
                  return (
                    <tr key={user.id}>
                      <td>
                        {user.displayName} <span className="muted">{user.email}</span>
                      </td>
                      <td>{tasks.flatMap((t) => t.approvers.map((a) => a.displayName)).join(', ') || 'the admins'}</td>
                      <td>{formatDate(tasks[0]?.createdAt)}</td>
                      <td>
                        <Link to={`/tasks?userId=${encodeURIComponent(user.id)}`}>Open tasks of {user.displayName}</Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      ) : null}
      {enrolling ? (
        <div className="card inner">
          <UserPicker id="enroll-search" label="Find users to enroll" picked={picked} onChange={setPicked} exclude={members?.edges.map((e) => e.node.id) ?? []} />
          <button type="button" onClick={() => void enrollPicked()} disabled={enroll.running || picked.length === 0}>
            {picked.length === 0 ? 'Enroll the ticked users' : `Enroll ${picked.length} user${picked.length === 1 ? '' : 's'}`}
          </button>
          <ErrorText error={enroll.error} />
        </div>
      ) : null}
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
      {!members ? (
        <p className="muted">Only admins and auditors see the members.</p>
      ) : members.totalCount === 0 ? (
        <Empty>No members yet.</Empty>
      ) : (
        <table>
          <caption className="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">External id</th>
              <th scope="col">Access</th>
            </tr>
          </thead>
          <tbody>
            {members.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{node.displayName}</td>
                <td>{node.email}</td>
                <td>{node.externalId}</td>
                <td>
                  <Link to={`/why?userId=${encodeURIComponent(node.id)}&profileId=${encodeURIComponent(profile.id)}`}>Why this access?</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {members && members.totalCount > members.edges.length ? <p className="muted">The first {members.edges.length} of {members.totalCount} members.</p> : null}
    </section>
  );
}
