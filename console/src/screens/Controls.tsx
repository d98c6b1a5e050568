/** The profile's controls: who may ask to join, item policies, and what leaving takes away. */
import { useState } from 'react';
import { graphql } from '../gql';
import type { UnenrollmentAction } from '../gql/graphql';
import { ErrorText, useMutation } from '../hooks';
import type { ProfileData } from './Profile';

const UpdateProfile = graphql(`
  mutation ConsoleUpdateProfile($id: ID!, $input: AccessProfileInput!) {
    updateAccessProfile(id: $id, input: $input) {
      id
    }
  }
`);

export const UNENROLLMENT_ACTIONS: Record<UnenrollmentAction, string> = {
  REVOKE_UNJUSTIFIED: 'Revoke what nothing else justifies',
  REVOKE_ALL: 'Revoke every item held through the profile',
  LEAVE_AS_IS: 'Leave access as it is',
};

export function Controls({ profile, onChange }: { profile: ProfileData; onChange: () => Promise<void> }) {
  const update = useMutation(UpdateProfile);
  const [allowRequests, setAllowRequests] = useState(profile.allowEnrollmentRequests);
  const [bypassRequest, setBypassRequest] = useState(profile.bypassItemRequestPolicies);
  const [bypassRevoke, setBypassRevoke] = useState(profile.bypassItemRevokePolicies);
  const [action, setAction] = useState<UnenrollmentAction>(profile.unenrollmentAction);
  const [saved, setSaved] = useState(false);

  const save = async () => {
    setSaved(false);
    const input = { name: profile.name, allowEnrollmentRequests: allowRequests, bypassItemRequestPolicies: bypassRequest, bypassItemRevokePolicies: bypassRevoke, unenrollmentAction: action };
    if (!(await update.mutate({ id: profile.id, input }))) return;
    setSaved(true);
    await onChange();
  };

  return (
    <section className="card" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <label className="check">
        <input type="checkbox" checked={allowRequests} onChange={(e) => setAllowRequests(e.target.checked)} /> Users may ask to join
      </label>
      <label className="check">
        <input type="checkbox" checked={bypassRequest} onChange={(e) => setBypassRequest(e.target.checked)} /> Item grants skip the items' own approval policies
      </label>
      <label className="check">
        <input type="checkbox" checked={bypassRevoke} onChange={(e) => setBypassRevoke(e.target.checked)} /> Item revocations skip the items' own policies
      </label>
      <label htmlFor="unenrollment-action">When a member leaves</label>
      <select id="unenrollment-action" value={action} onChange={(e) => setAction(e.target.value as UnenrollmentAction)}>
        {Object.entries(UNENROLLMENT_ACTIONS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <div>
        <button type="button" onClick={() => void save()} disabled={update.running}>
          Save controls
        </button>
      </div>
      <ErrorText error={update.error} />
      {saved ? (
        <p className="ok" role="status">
          Controls saved.
        </p>
      ) : null}
    </section>
  );
}
