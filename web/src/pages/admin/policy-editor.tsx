import { useState } from 'react';
import { api } from '../../api';
import { ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { Link, navigate } from '../../router';
import { can, useMe } from '../../session';
import { FieldError, FormAlert, fromLocalInput, invalid, toLocalInput, TextField, type FormErrors, useSave } from './common';
import { useDirectory } from '../../components/directory';
import { ActionFields, ConditionFields } from './policy-fields';
import { bodyOf, draftOf, FIELD_KEYS, FIELD_PREFIXES, type Draft, type Policy } from './policy-model';

/** `/admin/policies/new` and `/admin/policies/:policyId`: every condition and action of a policy. */
export function PolicyEditorPage({ params }: { params: Record<string, string> }) {
  const id = params.policyId;
  const loaded = useLoad(
    () => (id ? api<Policy>('GET', `/api/v2/recording/mediaretentionpolicies/${encodeURIComponent(id)}`) : Promise.resolve(undefined)),
    [id],
  );
  if (loaded.loading) return <Loading what="the policy" />;
  if (loaded.error) return <ErrorState error={loaded.error} retry={loaded.reload} />;
  return <PolicyForm key={id ?? 'new'} policy={loaded.data} />;
}

const isoToLocal = (iso: string) => (Number.isNaN(Date.parse(iso)) ? '' : toLocalInput(Date.parse(iso)));

export type SetDraft = <K extends keyof Draft>(key: K, value: Draft[K]) => void;

export interface FieldProps {
  readonly draft: Draft;
  readonly set: SetDraft;
  readonly errors: FormErrors;
  readonly disabled: boolean;
  readonly directory: ReturnType<typeof useDirectory>;
}

function PolicyForm({ policy }: { policy: Policy | undefined }) {
  const me = useMe();
  const directory = useDirectory(me);
  const [draft, setDraftState] = useState(() => draftOf(policy, isoToLocal));
  const { errors, saving, submit } = useSave(FIELD_KEYS, FIELD_PREFIXES);
  const set: SetDraft = (key, value) => setDraftState((d) => ({ ...d, [key]: value }));
  const mayWrite = policy ? can(me, 'recording:retentionPolicy:edit') : can(me, 'recording:retentionPolicy:add');

  const save = async () => {
    const body = bodyOf(draft, policy, fromLocalInput);
    const saved = policy
      ? await api<Policy>('PUT', `/api/v2/recording/mediaretentionpolicies/${encodeURIComponent(policy.id)}`, body)
      : await api<Policy>('POST', '/api/v2/recording/mediaretentionpolicies', body);
    navigate(`/admin/policies?saved=${encodeURIComponent(saved.name)}`);
  };

  const props: FieldProps = { draft, set, errors, disabled: !mayWrite, directory };
  return (
    <section aria-labelledby="policy-title">
      <p>
        <Link to="/admin/policies">← Retention policies</Link>
      </p>
      <h1 id="policy-title">{policy ? `Policy “${policy.name}”` : 'New retention policy'}</h1>
      {!mayWrite ? <p className="muted">You may look at this policy but not change it.</p> : null}
      <form onSubmit={submit(save)} noValidate className="policy-form">
        <FormAlert errors={errors} />
        <fieldset className="panel">
          <legend>Policy</legend>
          <div className="form-grid">
            <TextField id="policy-name" label="Name" value={draft.name} onChange={(v) => set('name', v)} disabled={!mayWrite} required errors={errors.fields.name} />
            <TextField id="policy-order" label="Order" value={draft.order} onChange={(v) => set('order', v)} type="number" min={0} disabled={!mayWrite} errors={errors.fields.order} hint="Lower orders are listed first." />
            <label className="span-2">
              Description
              <textarea id="policy-description" rows={2} value={draft.description} disabled={!mayWrite} onChange={(e) => set('description', e.target.value)} {...invalid('policy-description', errors.fields.description)} />
              <FieldError id="policy-description" errors={errors.fields.description} />
            </label>
            <label className="inline">
              <input type="checkbox" checked={draft.enabled} disabled={!mayWrite} onChange={(e) => set('enabled', e.target.checked)} />
              Enabled (applies to calls that start from now on)
            </label>
          </div>
        </fieldset>
        <ConditionFields {...props} />
        <ActionFields {...props} />
        {mayWrite ? (
          <div className="toolbar">
            <button type="submit" disabled={saving}>
              {saving ? 'Saving…' : 'Save policy'}
            </button>
            <Link to="/admin/policies" className="button secondary">
              Cancel
            </Link>
          </div>
        ) : null}
      </form>
    </section>
  );
}
