/** Sync now, with a live progress bar from the sync's events; and the sync history. */
import { useState } from 'react';
import { graphql } from '../gql';
import type { ConsoleSyncEventsSubscription, SyncRunState } from '../gql/graphql';
import { Empty, ErrorText, formatDate, useMutation, useSubscription } from '../hooks';
import { Link } from '../router';
import type { ProfileData } from './Profile';

const SyncNow = graphql(`
  mutation ConsoleSyncNow($profileId: ID!) {
    syncNow(profileId: $profileId) {
      id
      state
      progress {
        processed
        total
      }
    }
  }
`);

export const SyncEvents = graphql(`
  subscription ConsoleSyncEvents($profileId: ID) {
    syncEvents(profileId: $profileId) {
      type
      runId
      reason
      stagedUnenrollments
      progress {
        processed
        total
      }
      run {
        id
        state
        progress {
          processed
          total
        }
        enrollTasksCreated
        unenrollTasksCreated
        cancelledTasks
      }
    }
  }
`);

type SyncEvent = ConsoleSyncEventsSubscription['syncEvents'];

export const STATE_WORDS: Record<SyncRunState, string> = { RUNNING: 'Running', COMPLETED: 'Completed', PAUSED: 'Paused by the safeguard', DISCARDED: 'Gone back (discarded)', FAILED: 'Failed' };

export function outcome(event: SyncEvent): string {
  const r = event.run;
  switch (event.type) {
    case 'SYNC_STARTED':
      return 'The sync started.';
    case 'SYNC_PROGRESS':
      return `Syncing: ${event.progress?.processed ?? 0} of ${event.progress?.total ?? 0} changes handled.`;
    case 'SYNC_COMPLETED':
      return `The sync completed: ${r.enrollTasksCreated} enrollment and ${r.unenrollTasksCreated} unenrollment tasks created, ${r.cancelledTasks} stale tasks cancelled.`;
    case 'SYNC_PAUSED':
      return `The safeguard paused the sync: ${event.reason ?? ''} (${event.stagedUnenrollments ?? 0} unenrollments staged for review).`;
    case 'SYNC_RESUMED':
      return 'The paused sync was resumed: its staged changes are being applied.';
    case 'SYNC_DISCARDED':
      return 'The paused sync was discarded: nobody is removed.';
    case 'SYNC_FAILED':
      return `The sync failed: ${event.reason ?? 'no reason given'}.`;
  }
}

export function SyncPanel({ profile, onChange }: { profile: ProfileData; onChange: () => void }) {
  const sync = useMutation(SyncNow);
  const [runId, setRunId] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ processed: number; total: number } | null>(null);
  const [status, setStatus] = useState('');
  const [running, setRunning] = useState(false);

  const liveError = useSubscription(SyncEvents, { profileId: profile.id }, (data) => {
    const event = data.syncEvents;
    if (runId && event.runId !== runId && event.type !== 'SYNC_STARTED') return;
    setStatus(outcome(event));
    setProgress(event.progress ?? event.run.progress);
    if (event.type === 'SYNC_STARTED' || event.type === 'SYNC_PROGRESS' || event.type === 'SYNC_RESUMED') setRunning(true);
    else {
      setRunning(false);
      onChange();
    }
  });

  const start = async () => {
    const result = await sync.mutate({ profileId: profile.id });
    if (!result) return;
    setRunId(result.syncNow.id);
    setProgress(result.syncNow.progress);
    setRunning(result.syncNow.state === 'RUNNING');
    if (result.syncNow.state !== 'RUNNING') setStatus(`The sync is ${STATE_WORDS[result.syncNow.state].toLowerCase()}.`);
    else setStatus('Syncing…');
  };

  const percent = progress && progress.total > 0 ? Math.round((progress.processed / progress.total) * 100) : running ? 0 : 100;
  const runs = profile.syncRuns?.edges ?? [];
  return (
    <section className="card" aria-labelledby="sync-title">
      <div className="row spread">
        <h2 id="sync-title">Sync</h2>
        <button type="button" onClick={() => void start()} disabled={sync.running || running || !!profile.pausedSync || !profile.automation.enabled}>
          Sync now
        </button>
      </div>
      {!profile.automation.enabled ? <p className="muted">Turn the membership automation on to sync.</p> : null}
      {progress || running ? (
        <div className="progress">
          <progress max={100} value={percent} aria-label="Sync progress" />
          <span>{progress ? `${progress.processed} / ${progress.total}` : ''}</span>
        </div>
      ) : null}
      <p role="status" aria-live="polite" className="sync-status">
        {status}
      </p>
      <ErrorText error={sync.error} />
      <ErrorText error={liveError} />
      <h3>Sync history</h3>
      {runs.length === 0 ? (
        <Empty>No sync has run yet.</Empty>
      ) : (
        <table>
          <caption className="visually-hidden">Sync history, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Trigger</th>
              <th scope="col">Outcome</th>
              <th scope="col">Enrollment tasks</th>
              <th scope="col">Unenrollment tasks</th>
              <th scope="col">Cancelled</th>
            </tr>
          </thead>
          <tbody>
            {runs.map(({ node }) => (
              <tr key={node.id}>
                <td>{formatDate(node.startedAt)}</td>
                <td>{node.trigger.toLowerCase().replace(/_/g, ' ')}</td>
                <td>
                  {STATE_WORDS[node.state]}
                  {node.state === 'PAUSED' ? (
                    <>
                      {' '}
                      <Link to={`/profiles/${encodeURIComponent(profile.id)}/review`}>Review</Link>
                    </>
                  ) : null}
                  {node.failReason ? <div className="muted">{node.failReason}</div> : null}
                </td>
                <td>{node.enrollTasksCreated}</td>
                <td>{node.unenrollTasksCreated}</td>
                <td>{node.cancelledTasks}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
