/** Why does this user have this access: the paths as a diagram, and what-if / blast-radius tables. */
import { useState } from 'react';
import { graphql } from '../gql';
import type { BlastRadiusChange } from '../gql/graphql';
import { Empty, Loaded, useQuery } from '../hooks';
import { UserPicker, type Picked } from '../pickers';
import { navigate } from '../router';
import { PathDiagram } from './PathDiagram';

const UserGrants = graphql(`
  query ConsoleUserGrants($id: ID!) {
    node(id: $id) {
      ... on User {
        id
        displayName
        email
        grants(first: 200) {
          edges {
            node {
              id
              entitlement {
                id
                name
                kind
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

const WhyAccess = graphql(`
  query ConsoleWhyAccess($userId: ID!, $entitlementId: ID!) {
    whyAccess(userId: $userId, entitlementId: $entitlementId) {
      held
      direct
      unjustified
      enrolledVia
      user {
        id
        displayName
      }
      entitlement {
        id
        name
        app {
          name
        }
      }
      paths {
        member
        excluded
        justifies
        includesEntitlement
        recordedSource
        enrolledVia
        enrolledAt
        profile {
          id
          name
        }
        matchedCondition {
          id
          name
        }
      }
    }
  }
`);

const Blast = graphql(`
  query ConsoleBlastRadius($change: BlastRadiusChange!, $profileId: ID!, $entitlementId: ID) {
    blastRadius(change: $change, profileId: $profileId, entitlementId: $entitlementId) {
      affectedUserCount
      accessLossCount
      membershipLossCount
      keptGrantCount
      wouldPause
      losses(first: 50) {
        totalCount
        edges {
          node {
            kind
            user {
              id
              displayName
              email
            }
            entitlement {
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
`);

const CHANGES: Record<BlastRadiusChange, string> = {
  REMOVE_ITEM: 'Remove this entitlement from the profile’s items',
  REMOVE_CONDITION: 'Remove this entitlement from the profile’s condition',
  DISABLE_PROFILE: 'Retire the profile (every member unenrolled)',
};

function BlastRadiusTable({ change, profileId, entitlementId }: { change: BlastRadiusChange; profileId: string; entitlementId: string }) {
  const state = useQuery(Blast, { change, profileId, entitlementId: change === 'DISABLE_PROFILE' ? null : entitlementId });
  return (
    <Loaded state={state} what="the blast radius">
      {({ blastRadius: b }) => (
        <>
          <dl className="figures">
            <dt>People affected</dt>
            <dd>{b.affectedUserCount}</dd>
            <dt>Memberships lost</dt>
            <dd>{b.membershipLossCount}</dd>
            <dt>Access lost</dt>
            <dd>{b.accessLossCount}</dd>
            <dt>Grants kept (held another way)</dt>
            <dd>{b.keptGrantCount}</dd>
          </dl>
          {b.wouldPause ? <p className="banner warning">The next sync would be paused by the safeguard.</p> : null}
          {b.losses.totalCount === 0 ? (
            <Empty>Nobody would lose anything.</Empty>
          ) : (
            <table>
              <caption>Who would lose what</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Would lose</th>
                  <th scope="col">Kind</th>
                </tr>
              </thead>
              <tbody>
                {b.losses.edges.map(({ node }, i) => (
                  <tr key={i}>
                    <td>
                      {node.user.displayName} <span className="muted">{node.user.email}</span>
                    </td>
                    <td>
                      {node.entitlement.app?.name ?? 'Profile'}: {node.entitlement.name}
                    </td>
                    <td>{node.kind === 'MEMBERSHIP' ? 'membership' : 'access'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Loaded>
  );
}

export function Why({ userId, entitlementId, profileId }: { userId: string | null; entitlementId: string | null; profileId: string | null }) {
  const grants = useQuery(UserGrants, { id: userId ?? '' }, { skip: !userId });
  const why = useQuery(WhyAccess, { userId: userId ?? '', entitlementId: entitlementId ?? '' }, { skip: !userId || !entitlementId });
  const [change, setChange] = useState<BlastRadiusChange>('REMOVE_ITEM');
  const [whatIfProfile, setWhatIfProfile] = useState<string>(profileId ?? '');
  const go = (u: string | null, e: string | null) => {
    const q = new URLSearchParams();
    if (u) q.set('userId', u);
    if (e) q.set('entitlementId', e);
    if (profileId) q.set('profileId', profileId);
    navigate(`/why?${q.toString()}`);
  };

  return (
    <>
      <h1>Why does this user have this access?</h1>
      {!userId ? (
        <section className="card">
          <UserPicker id="why-user" label="Find the user" picked={[] as Picked[]} onChange={(p) => p[0] && go(p[0].id, null)} />
        </section>
      ) : (
        <Loaded state={grants} what="the user's access">
          {(data) => {
            const user = data.node && 'grants' in data.node ? data.node : null;
            if (!user) return <p role="alert">This user does not exist (any more).</p>;
            const held = user.grants?.edges.map((e) => e.node.entitlement) ?? [];
            return (
              <section className="card">
                <p>
                  <strong>{user.displayName}</strong> <span className="muted">{user.email}</span>{' '}
                  <button type="button" className="link" onClick={() => go(null, null)}>
                    Choose another user
                  </button>
                </p>
                <label htmlFor="why-entitlement">Access they hold</label>
                <select id="why-entitlement" value={entitlementId ?? ''} onChange={(e) => go(user.id, e.target.value || null)}>
                  <option value="">Choose an entitlement…</option>
                  {held.map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.app?.name ?? 'Profile'}: {e.name}
                    </option>
                  ))}
                </select>
                {held.length === 0 ? <Empty>They hold no access.</Empty> : null}
              </section>
            );
          }}
        </Loaded>
      )}
      {userId && entitlementId ? (
        <Loaded state={why} what="the explanation">
          {({ whyAccess: w }) => {
            const profiles = w.paths.filter((p) => p.includesEntitlement || p.member);
            const chosen = whatIfProfile || profiles[0]?.profile.id || '';
            return (
              <>
                <section className="card" aria-labelledby="paths-title">
                  <h2 id="paths-title">
                    How {w.user.displayName} holds {w.entitlement.name}
                  </h2>
                  <p>
                    {!w.held
                      ? 'They do not hold it.'
                      : w.unjustified
                        ? 'They hold it, but nothing justifies it any more: no direct grant, and no profile they are in includes it.'
                        : `They hold it ${[w.direct ? 'directly' : null, w.paths.some((p) => p.justifies) ? 'through a profile' : null].filter(Boolean).join(' and ')}.`}
                  </p>
                  <PathDiagram why={w} />
                </section>
                <section className="card" aria-labelledby="whatif-title">
                  <h2 id="whatif-title">What if…</h2>
                  {profiles.length === 0 ? (
                    <Empty>No profile is involved: only the direct grant gives this access.</Empty>
                  ) : (
                    <>
                      <div className="row">
                        <label>
                          Profile
                          <select value={chosen} onChange={(e) => setWhatIfProfile(e.target.value)}>
                            {profiles.map((p) => (
                              <option key={p.profile.id} value={p.profile.id}>
                                {p.profile.name}
                              </option>
                            ))}
                          </select>
                        </label>
                        <label>
                          Change
                          <select value={change} onChange={(e) => setChange(e.target.value as BlastRadiusChange)}>
                            {Object.entries(CHANGES).map(([value, label]) => (
                              <option key={value} value={value}>
                                {label}
                              </option>
                            ))}
                          </select>
                        </label>
                      </div>
                      {chosen ? <BlastRadiusTable key={`${chosen}-${change}`} change={change} profileId={chosen} entitlementId={entitlementId} /> : null}
                    </>
                  )}
                </section>
              </>
            );
          }}
        </Loaded>
      ) : null}
    </>
  );
}
