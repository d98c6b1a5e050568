/** Access profiles: name, members, pending enrollments, automation on/off, a banner on a paused sync. */
import { useState, type FormEvent } from 'react';
import { graphql } from '../gql';
import { Empty, ErrorText, Loaded, useMutation, useQuery } from '../hooks';
import { Link, navigate } from '../router';

const ProfilesQuery = graphql(`
  query ConsoleProfiles {
    accessProfiles(first: 200) {
      totalCount
      edges {
        node {
          id
          name
          description
          automation {
            enabled
            mode
          }
          members(first: 0) {
            totalCount
          }
          pendingEnrollments {
            count
          }
          pausedSync {
            id
            pauseReason
          }
        }
      }
    }
  }
`);

const CreateProfile = graphql(`
  mutation ConsoleCreateProfile($input: AccessProfileInput!) {
    createAccessProfile(input: $input) {
      id
    }
  }
`);

export function Profiles() {
  const state = useQuery(ProfilesQuery, {});
  const create = useMutation(CreateProfile);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.mutate({ input: { name: name.trim(), description: description.trim() || null } });
    if (created) navigate(`/profiles/${encodeURIComponent(created.createAccessProfile.id)}`);
  };

  return (
    <>
      <h1>Access profiles</h1>
      <Loaded state={state} what="access profiles">
        {(data) => {
          const paused = data.accessProfiles.edges.filter((e) => e.node.pausedSync);
          return (
            <>
              {paused.map(({ node }) => (
                <div key={node.id} className="banner warning" role="status">
                  <strong>The sync of {node.name} is paused</strong> by the safeguard: {node.pausedSync!.pauseReason ?? 'too many removals at once'}.{' '}
                  <Link to={`/profiles/${encodeURIComponent(node.id)}/review`}>Review</Link>
                </div>
              ))}
              {data.accessProfiles.edges.length === 0 ? (
                <Empty>No access profile yet. Create the first one below.</Empty>
              ) : (
                <table>
                  <caption className="visually-hidden">Access profiles</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Members</th>
                      <th scope="col">Pending enrollments</th>
                      <th scope="col">Membership automation</th>
                      <th scope="col">Sync</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.accessProfiles.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={`/profiles/${encodeURIComponent(node.id)}`}>{node.name}</Link>
                          {node.description ? <div className="muted">{node.description}</div> : null}
                        </td>
                        <td>{node.members?.totalCount ?? '—'}</td>
                        <td>{node.pendingEnrollments?.count ?? '—'}</td>
                        <td>{node.automation.enabled ? <span className="pill on">On</span> : <span className="pill off">Off</span>}</td>
                        <td>{node.pausedSync ? <span className="pill warn">Paused</span> : <span className="muted">—</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Loaded>
      <section className="card" aria-labelledby="create-title">
        <h2 id="create-title">Create an access profile</h2>
        <form onSubmit={submit} className="row">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <button type="submit" disabled={create.running || !name.trim()}>
            Create profile
          </button>
        </form>
        <ErrorText error={create.error} />
      </section>
    </>
  );
}
