/** Membership automation: the rule, a preview of what saving would do, then saving. */
import { useState } from 'react';
import { graphql } from '../gql';
import type { AutomationMode, ConsoleWhatIfQuery } from '../gql/graphql';
import { ErrorText, useMutation } from '../hooks';
import { request, ApiError } from '../api';
import { EntitlementPicker, type Picked } from '../pickers';
import type { ProfileData } from './Profile';

const WhatIf = graphql(`
  query ConsoleWhatIf($profileId: ID!, $proposal: AutomationProposalInput) {
    whatIfMembershipAutomation(profileId: $profileId, proposal: $proposal) {
      memberCount
      toEnrollCount
      toUnenrollCount
      grantTaskCount
      revokeTaskCount
      cancelledEnrollments
      cancelledUnenrollments
      membersLackingAccess
      wouldPause
      safeguard {
        reason
      }
      toEnroll(first: 10) {
        edges {
          node {
            id
            displayName
          }
        }
      }
      toUnenroll(first: 10) {
        edges {
          node {
            id
            displayName
          }
        }
      }
    }
  }
`);

const SaveAutomation = graphql(`
  mutation ConsoleSaveAutomation($profileId: ID!, $input: MembershipAutomationInput!) {
    setMembershipAutomation(profileId: $profileId, input: $input) {
      id
    }
  }
`);

type Preview = ConsoleWhatIfQuery['whatIfMembershipAutomation'];

const MODES: Record<AutomationMode, string> = {
  SYNC_MEMBERS_AND_ACCESS: 'Membership and access (members get the items)',
  SYNC_MEMBERS_ONLY: 'Membership only',
};

function names(list: { node: { displayName: string } }[], count: number): string {
  if (count === 0) return '';
  const shown = list.map((e) => e.node.displayName).join(', ');
  return count > list.length ? `${shown} and ${count - list.length} more` : shown;
}

export function Automation({ profile, onChange }: { profile: ProfileData; onChange: () => Promise<void> }) {
  const saved = profile.automation;
  const [enabled, setEnabled] = useState(saved.enabled);
  const [mode, setMode] = useState<AutomationMode>(saved.mode);
  const [pause, setPause] = useState(saved.pauseOnAnomalies);
  const [condition, setCondition] = useState<Picked[]>(saved.condition.map((e) => ({ id: e.id, label: `${e.app?.name ?? '—'}: ${e.name}` })));
  const [preview, setPreview] = useState<{ key: string; result: Preview } | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [message, setMessage] = useState('');
  const save = useMutation(SaveAutomation);

  const key = JSON.stringify({ enabled, mode, pause, ids: condition.map((c) => c.id).sort() });
  const current = preview?.key === key ? preview.result : null;

  const runPreview = async () => {
    setPreviewing(true);
    setPreviewError(null);
    setMessage('');
    try {
      const data = await request(WhatIf, { profileId: profile.id, proposal: { mode, pauseOnAnomalies: pause, conditionEntitlementIds: condition.map((c) => c.id) } });
      setPreview({ key, result: data.whatIfMembershipAutomation });
    } catch (e) {
      setPreviewError(e instanceof ApiError ? e : new ApiError('INTERNAL', String(e)));
    } finally {
      setPreviewing(false);
    }
  };

  const runSave = async () => {
    const input = { enabled, mode, pauseOnAnomalies: pause, conditionEntitlementIds: condition.map((c) => c.id) };
    if (!(await save.mutate({ profileId: profile.id, input }))) return;
    setMessage(enabled ? 'Automation saved; the profile is syncing now.' : 'Automation saved; it is off.');
    setPreview(null);
    await onChange();
  };

  return (
    <section className="card" aria-labelledby="automation-title">
      <h2 id="automation-title">Membership automation</h2>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Automation on: the rule decides who is a member
      </label>
      <EntitlementPicker id="condition-search" label="Users holding any of these entitlements match" picked={condition} onChange={setCondition} />
      <p>
        Condition: {condition.length === 0 ? <em>none (nobody matches)</em> : condition.map((c) => c.label).join(' or ')}
      </p>
      <label htmlFor="automation-mode">What the sync manages</label>
      <select id="automation-mode" value={mode} onChange={(e) => setMode(e.target.value as AutomationMode)}>
        {Object.entries(MODES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label className="check">
        <input type="checkbox" checked={pause} onChange={(e) => setPause(e.target.checked)} /> The safeguard may pause a sync that removes too many members
      </label>
      <div className="row">
        <button type="button" className="secondary" onClick={() => void runPreview()} disabled={previewing}>
          Preview
        </button>
        <button type="button" onClick={() => void runSave()} disabled={save.running || !current}>
          Save automation
        </button>
        {!current ? <span className="muted">Preview what saving would do first.</span> : null}
      </div>
      <ErrorText error={previewError} />
      <ErrorText error={save.error} />
      {current ? (
        <div className="preview" role="region" aria-label="What saving would do">
          <h3>What saving would do</h3>
          {!enabled ? <p>Automation would be off: no sync runs; current members stay.</p> : null}
          <dl className="figures">
            <dt>Members now</dt>
            <dd>{current.memberCount}</dd>
            <dt>Would be enrolled</dt>
            <dd>{current.toEnrollCount}</dd>
            <dt>Would be unenrolled</dt>
            <dd>{current.toUnenrollCount}</dd>
            <dt>Grant tasks</dt>
            <dd>{current.grantTaskCount}</dd>
            <dt>Revoke tasks</dt>
            <dd>{current.revokeTaskCount}</dd>
            <dt>Open tasks cancelled</dt>
            <dd>{current.cancelledEnrollments + current.cancelledUnenrollments}</dd>
          </dl>
          {current.toEnrollCount > 0 ? <p>Enrolled: {names(current.toEnroll.edges, current.toEnrollCount)}.</p> : null}
          {current.toUnenrollCount > 0 ? <p>Unenrolled: {names(current.toUnenroll.edges, current.toUnenrollCount)}.</p> : null}
          {current.wouldPause ? <p className="banner warning">The safeguard would pause this sync: {current.safeguard.reason}.</p> : null}
        </div>
      ) : null}
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
    </section>
  );
}
