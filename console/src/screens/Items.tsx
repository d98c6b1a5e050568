/** The profile's items: add (for current members too, or future members only) and remove. */
import { useState } from 'react';
import { graphql } from '../gql';
import { Empty, ErrorText, useMutation } from '../hooks';
import { EntitlementPicker, type Picked } from '../pickers';
import type { ProfileData } from './Profile';

const AddItems = graphql(`
  mutation ConsoleAddItems($profileId: ID!, $entitlementIds: [ID!]!, $requestForMembers: Boolean) {
    addProfileItems(profileId: $profileId, entitlementIds: $entitlementIds, requestForMembers: $requestForMembers) {
      id
    }
  }
`);

const RemoveItems = graphql(`
  mutation ConsoleRemoveItems($profileId: ID!, $entitlementIds: [ID!]!) {
    removeProfileItems(profileId: $profileId, entitlementIds: $entitlementIds) {
      id
    }
  }
`);

export function Items({ profile, onChange }: { profile: ProfileData; onChange: () => Promise<void> }) {
  const add = useMutation(AddItems);
  const remove = useMutation(RemoveItems);
  const [picked, setPicked] = useState<Picked[]>([]);
  const [forMembers, setForMembers] = useState(true);
  const [done, setDone] = useState('');

  const addPicked = async () => {
    const result = await add.mutate({ profileId: profile.id, entitlementIds: picked.map((p) => p.id), requestForMembers: forMembers });
    if (!result) return;
    setDone(`Added ${picked.length} item${picked.length === 1 ? '' : 's'}${forMembers ? '; current members get grant tasks for them' : ' for future members only'}.`);
    setPicked([]);
    await onChange();
  };
  const removeOne = async (id: string, name: string) => {
    if (!(await remove.mutate({ profileId: profile.id, entitlementIds: [id] }))) return;
    setDone(`Removed ${name}; the unenrollment action applies to current members.`);
    await onChange();
  };

  return (
    <section className="card" aria-labelledby="items-title">
      <h2 id="items-title">Items</h2>
      {profile.items.length === 0 ? (
        <Empty>No items yet: members get nothing but the membership.</Empty>
      ) : (
        <ul className="items">
          {profile.items.map((item) => (
            <li key={item.id}>
              <span>
                {item.app?.name ?? '—'}: <strong>{item.name}</strong>
              </span>
              <button type="button" className="secondary" onClick={() => void removeOne(item.id, item.name)} disabled={remove.running} aria-label={`Remove ${item.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={remove.error} />
      <details>
        <summary>Add items</summary>
        <EntitlementPicker id="add-items-search" label="Find entitlements to add" picked={picked} onChange={setPicked} exclude={profile.items.map((i) => i.id)} />
        <fieldset className="choice">
          <legend>Who gets the added items</legend>
          <label className="check">
            <input type="radio" name="for-members" checked={forMembers} onChange={() => setForMembers(true)} /> For current members too
          </label>
          <label className="check">
            <input type="radio" name="for-members" checked={!forMembers} onChange={() => setForMembers(false)} /> Future members only
          </label>
        </fieldset>
        <button type="button" onClick={() => void addPicked()} disabled={add.running || picked.length === 0}>
          {picked.length === 0 ? 'Add the ticked items' : `Add ${picked.length} item${picked.length === 1 ? '' : 's'}`}
        </button>
        <ErrorText error={add.error} />
      </details>
      {done ? (
        <p className="ok" role="status">
          {done}
        </p>
      ) : null}
    </section>
  );
}
