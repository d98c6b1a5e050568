/** Search-and-tick pickers for entitlements and users (keyboard usable: a search box and checkboxes). */
import { useState } from 'react';
import { graphql } from './gql';
import { Empty, ErrorText, Loading, useQuery } from './hooks';

const SearchEntitlements = graphql(`
  query ConsoleSearchEntitlements($search: String) {
    entitlements(first: 20, search: $search) {
      edges {
        node {
          id
          name
          externalId
          kind
          app {
            name
          }
        }
      }
    }
  }
`);

const SearchUsers = graphql(`
  query ConsoleSearchUsers($search: String) {
    users(first: 20, search: $search) {
      edges {
        node {
          id
          displayName
          email
          externalId
        }
      }
    }
  }
`);

export interface Picked {
  id: string;
  label: string;
}

function toggle(list: Picked[], item: Picked): Picked[] {
  return list.some((p) => p.id === item.id) ? list.filter((p) => p.id !== item.id) : [...list, item];
}

function Results({ label, items, picked, onChange, exclude }: { label: string; items: Picked[]; picked: Picked[]; onChange: (p: Picked[]) => void; exclude: string[] }) {
  const shown = items.filter((i) => !exclude.includes(i.id));
  if (shown.length === 0) return <Empty>Nothing matches.</Empty>;
  return (
    <fieldset className="results">
      <legend className="visually-hidden">{label}</legend>
      {shown.map((item) => (
        <label key={item.id} className="check">
          <input type="checkbox" checked={picked.some((p) => p.id === item.id)} onChange={() => onChange(toggle(picked, item))} />
          {item.label}
        </label>
      ))}
    </fieldset>
  );
}

export function EntitlementPicker({ id, label, picked, onChange, exclude = [] }: { id: string; label: string; picked: Picked[]; onChange: (p: Picked[]) => void; exclude?: string[] }) {
  const [search, setSearch] = useState('');
  const state = useQuery(SearchEntitlements, { search: search.trim() || null });
  const items =
    state.data?.entitlements.edges
      .filter((e) => e.node.kind === 'STANDARD')
      .map((e) => ({ id: e.node.id, label: `${e.node.app?.name ?? '—'}: ${e.node.name}` })) ?? [];
  return (
    <div className="picker">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search by name" />
      <ErrorText error={state.error} />
      {state.data ? <Results label={label} items={items} picked={picked} onChange={onChange} exclude={exclude} /> : <Loading what="entitlements" />}
    </div>
  );
}

export function UserPicker({ id, label, picked, onChange, exclude = [] }: { id: string; label: string; picked: Picked[]; onChange: (p: Picked[]) => void; exclude?: string[] }) {
  const [search, setSearch] = useState('');
  const state = useQuery(SearchUsers, { search: search.trim() || null });
  const items = state.data?.users.edges.map((e) => ({ id: e.node.id, label: `${e.node.displayName} <${e.node.email}>` })) ?? [];
  return (
    <div className="picker">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search by name, email or external id" />
      <ErrorText error={state.error} />
      {state.data ? <Results label={label} items={items} picked={picked} onChange={onChange} exclude={exclude} /> : <Loading what="users" />}
    </div>
  );
}
