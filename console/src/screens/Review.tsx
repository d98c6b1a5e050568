/** Review a paused sync: who would be removed and what they would lose; Resume sync or Go back. */
import { useState } from 'react';
import { graphql } from '../gql';
import { Empty, ErrorText, Loaded, useMutation, useQuery, useSubscription } from '../hooks';
import { Link } from '../router';
import { outcome, SyncEvents } from './SyncPanel';

const ReviewQuery = graphql(`
  query ConsoleReview($id: ID!) {
    safeguardSettings {
      minMembers
      maxUnenrollRatio
    }
    node(id: $id) {
      ... on AccessProfile {
        id
        name
        unenrollmentAction
        pausedSync {
          id
          startedAt
          pauseReason
          memberCount
          staged {
            memberCount
            toUnenrollCount
            toEnrollCount
            unenrollments {
              displayName
              email
              externalId
              accessToLoseCount
              accessToLose {
                id
                name
                app {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`);

const Resume = graphql(`
  mutation ConsoleResumeSync($id: ID!) {
    resumeSync(syncRunId: $id) {
      id
      state
    }
  }
`);

const Discard = graphql(`
  mutation ConsoleDiscardSync($id: ID!) {
    discardSync(syncRunId: $id) {
      id
      state
    }
  }
`);

type Decision = 'resume' | 'discard';

export function Review({ profileId }: { profileId: string }) {
  const state = useQuery(ReviewQuery, { id: profileId });
  const resume = useMutation(Resume);
  const discard = useMutation(Discard);
  const [confirming, setConfirming] = useState<Decision | null>(null);
  const [decided, setDecided] = useState<{ runId: string; decision: Decision } | null>(null);
  const [events, setEvents] = useState<string[]>([]);
  const [finished, setFinished] = useState(false);

  useSubscription(SyncEvents, { profileId }, (data) => {
    const event = data.syncEvents;
    if (!decided || event.runId !== decided.runId) return;
    setEvents((list) => [...list, outcome(event)]);
    if (event.type === 'SYNC_COMPLETED' || event.type === 'SYNC_DISCARDED' || event.type === 'SYNC_FAILED') setFinished(true);
  });

  const decide = async (runId: string, decision: Decision) => {
    setConfirming(null);
    setEvents([]);
    setFinished(false);
    setDecided({ runId, decision });
    const result = decision === 'resume' ? await resume.mutate({ id: runId }) : await discard.mutate({ id: runId });
    if (!result) {
      setDecided(null);
      return;
    }
    const run = 'resumeSync' in result ? result.resumeSync : result.discardSync;
    if (run.state === 'DISCARDED' || run.state === 'COMPLETED') {
      setEvents((list) => (list.length ? list : [run.state === 'DISCARDED' ? 'The paused sync was discarded: nobody is removed.' : 'The sync completed.']));
      setFinished(true);
    }
  };

  return (
    <Loaded state={state} what="the paused sync">
      {(data) => {
        const profile = data.node && 'name' in data.node ? data.node : null;
        if (!profile || !('pausedSync' in profile)) return <p role="alert">This access profile does not exist (any more).</p>;
        const run = profile.pausedSync;
        const back = `/profiles/${encodeURIComponent(profile.id)}`;
        return (
          <>
            <p className="crumbs">
              <Link to="/profiles">Access profiles</Link> › <Link to={back}>{profile.name}</Link> › Review the paused sync
            </p>
            <h1>Review the paused sync of {profile.name}</h1>
            {decided ? (
              <section className="card" aria-labelledby="outcome-title">
                <h2 id="outcome-title">{decided.decision === 'resume' ? 'Resuming the sync' : 'Going back'}</h2>
                <ul className="events" aria-live="polite">
                  {events.map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
                {finished ? (
                  <p className="ok" role="status">
                    Done. <Link to={back}>Back to {profile.name}</Link>
                  </p>
                ) : (
                  <p role="status">Waiting for the server…</p>
                )}
                <ErrorText error={resume.error ?? discard.error} />
              </section>
            ) : null}
            {!run ? (
              decided ? null : <Empty>No sync of this profile awaits review.</Empty>
            ) : (
              <>
                <section className="card" aria-labelledby="why-title">
                  <h2 id="why-title">Why it paused</h2>
                  <p>{run.pauseReason ?? 'The sync would remove too many members at once.'}</p>
                  <dl className="figures">
                    <dt>Members when it ran</dt>
                    <dd>{run.staged?.memberCount ?? run.memberCount ?? '—'}</dd>
                    <dt>Would be removed</dt>
                    <dd>{run.staged?.toUnenrollCount ?? 0}</dd>
                    <dt>Would be enrolled</dt>
                    <dd>{run.staged?.toEnrollCount ?? 0}</dd>
                    <dt>Safeguard</dt>
                    <dd>
                      profiles over {data.safeguardSettings.minMembers} members, more than {Math.round(data.safeguardSettings.maxUnenrollRatio * 100)}% removed at once
                    </dd>
                  </dl>
                </section>
                <section className="card" aria-labelledby="removed-title">
                  <h2 id="removed-title">
                    {finished && decided?.decision === 'resume' ? 'Who was removed' : finished && decided?.decision === 'discard' ? 'Who would have been removed (nobody was)' : 'Who would be removed'}
                  </h2>
                  <table>
                    <caption className="visually-hidden">Users the sync would remove, with the access each would lose</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Email</th>
                        <th scope="col">External id</th>
                        <th scope="col">Access they would lose</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(run.staged?.unenrollments ?? []).map((u) => (
                        <tr key={u.externalId}>
                          <td>{u.displayName}</td>
                          <td>{u.email}</td>
                          <td>{u.externalId}</td>
                          <td>{u.accessToLose && u.accessToLose.length > 0 ? u.accessToLose.map((e) => `${e.app?.name ?? '—'}: ${e.name}`).join('; ') : 'the membership only'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
                {decided ? null : (
                <section className="card" aria-labelledby="decide-title">
                  <h2 id="decide-title">Decide</h2>
                  {confirming ? (
                    <div role="alertdialog" aria-labelledby="confirm-text" className="confirm">
                      <p id="confirm-text">
                        {confirming === 'resume'
                          ? `Resume the sync: ${run.staged?.toUnenrollCount ?? 0} members are removed and lose the access listed. Are you sure?`
                          : 'Go back: the staged changes are dropped and nobody is removed. Are you sure?'}
                      </p>
                      <button type="button" className={confirming === 'resume' ? 'danger' : ''} onClick={() => void decide(run.id, confirming)} autoFocus>
                        {confirming === 'resume' ? 'Yes, resume the sync' : 'Yes, go back'}
                      </button>{' '}
                      <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </div>
                  ) : (
                    <div className="row">
                      <button type="button" className="danger" onClick={() => setConfirming('resume')}>
                        Resume sync
                      </button>
                      <button type="button" className="secondary" onClick={() => setConfirming('discard')}>
                        Go back
                      </button>
                    </div>
                  )}
                </section>
                )}
              </>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
