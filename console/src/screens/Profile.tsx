/** A profile: items, controls, membership automation, members and pending enrollments, sync now and history. */
import { useRef } from 'react';
import { graphql } from '../gql';
import type { ConsoleProfileQuery } from '../gql/graphql';
import { Loaded, useQuery, useSubscription } from '../hooks';
import { Link } from '../router';
import { Automation } from './Automation';
import { Controls } from './Controls';
import { Items } from './Items';
import { Members } from './Members';
import { ProfileQuery } from './profile-query';
import { SyncPanel } from './SyncPanel';

export type ProfileData = Extract<NonNullable<ConsoleProfileQuery['node']>, { name: string }>;

const ProfileTaskEvents = graphql(`
  subscription ConsoleProfileTaskEvents($profileId: ID) {
    taskEvents(profileId: $profileId) {
      type
      cursor
    }
  }
`);

export function Profile({ profileId }: { profileId: string }) {
  const state = useQuery(ProfileQuery, { id: profileId });
  // Members and pending enrollments change as reviewers decide: reload on the profile's task events (coalesced).
  const timer = useRef<number | undefined>(undefined);
  const reloadSoon = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void state.reload(), 150);
  };
  useSubscription(ProfileTaskEvents, { profileId }, reloadSoon);

  return (
    <Loaded state={state} what="the profile">
      {(data) => {
        const profile = data.node && 'name' in data.node ? (data.node as ProfileData) : null;
        if (!profile) return <p role="alert">This access profile does not exist (any more).</p>;
        return (
          <>
            <p className="crumbs">
              <Link to="/profiles">Access profiles</Link> › {profile.name}
            </p>
            <h1>{profile.name}</h1>
            {profile.description ? <p className="muted">{profile.description}</p> : null}
            {profile.pausedSync ? (
              <div className="banner warning" role="status">
                <strong>The sync is paused</strong> by the safeguard: {profile.pausedSync.pauseReason ?? 'too many removals at once'}.{' '}
                <Link to={`/profiles/${encodeURIComponent(profile.id)}/review`}>Review</Link>
              </div>
            ) : null}
            <div className="grid">
              <Items profile={profile} onChange={state.reload} />
              <Controls profile={profile} onChange={state.reload} />
            </div>
            <Automation profile={profile} onChange={state.reload} />
            <Members profile={profile} onChange={state.reload} />
            <SyncPanel profile={profile} onChange={reloadSoon} />
          </>
        );
      }}
    </Loaded>
  );
}
