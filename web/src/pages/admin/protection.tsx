import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { can, useMe } from '../../session';
import { FieldError, FormAlert, formErrors, invalid, NO_ERRORS, Notice, splitList, type FormErrors } from './common';

/**
 * `/admin/protection`: protection from deletion (legal hold) by conversation id
 * (`/api/v2/recordings/deletionprotection`): ask which are protected, protect, lift.
 */

const MAX = 100;

interface Outcome {
  readonly protectedIds?: readonly string[];
  readonly asked: readonly string[];
  readonly failed?: readonly { conversation: { id: string }; errorMessage: string; errorCode: string }[];
}

export function ProtectionPage() {
  const me = useMe();
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = [...new Set(splitList(text))];

  const run = async (what: 'check' | 'protect' | 'unprotect') => {
    setErrors(NO_ERRORS);
    setNotice(null);
    setBusy(true);
    try {
      if (what !== 'check') {
        const r = await api<{ failedUpdates: NonNullable<Outcome['failed']> }>('PUT', `/api/v2/recordings/deletionprotection?protect=${what === 'protect'}`, { conversationIds: ids });
        const ok = ids.length - r.failedUpdates.length;
        setNotice(`${ok} conversation${ok === 1 ? '' : 's'} ${what === 'protect' ? 'protected' : 'no longer protected'}${r.failedUpdates.length ? `; ${r.failedUpdates.length} could not be changed` : ''}.`);
        setOutcome({ asked: ids, failed: r.failedUpdates });
      }
      const found = await api<{ id: string }[]>('POST', '/api/v2/recordings/deletionprotection', { conversationIds: ids });
      setOutcome((o) => ({ ...(what === 'check' ? {} : o), asked: ids, protectedIds: found.map((c) => c.id) }));
    } catch (err) {
      setErrors(formErrors(err, ['conversationIds']));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('check');
  };
  const tooMany = ids.length > MAX;
  const none = ids.length === 0;

  return (
    <section aria-labelledby="protection-title">
      <h1 id="protection-title">Protection from deletion</h1>
      <p className="muted">
        Protected conversations keep every recording: no policy, bulk job, direct change or maximum retention deletes them until protection is lifted. Lifting it lets their
        delete dates apply again (at once when passed).
      </p>
      <form className="panel" onSubmit={submit} noValidate>
        <FormAlert errors={errors} />
        <label>
          Conversation ids
          <textarea
            id="protection-ids"
            rows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="One per line, or separated by commas or spaces"
            {...invalid('protection-ids', tooMany ? [`at most ${MAX} at a time`] : errors.fields.conversationIds)}
          />
          <span className="hint">
            {ids.length} conversation{ids.length === 1 ? '' : 's'} (at most {MAX} at a time).
          </span>
          <FieldError id="protection-ids" errors={tooMany ? [`At most ${MAX} at a time; split the list.`] : errors.fields.conversationIds} />
        </label>
        <div className="toolbar">
          <button type="submit" className="secondary" disabled={busy || none || tooMany}>
            Check protection
          </button>
          {can(me, 'recording:deletionProtection:apply') ? (
            <button type="button" disabled={busy || none || tooMany} onClick={() => void run('protect')}>
              Protect
            </button>
          ) : null}
          {can(me, 'recording:deletionProtection:revoke') ? (
            <button type="button" className="danger" disabled={busy || none || tooMany} onClick={() => void run('unprotect')}>
              Lift protection
            </button>
          ) : null}
        </div>
      </form>
      {notice ? <Notice>{notice}</Notice> : null}
      {outcome?.protectedIds ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Protection of the conversations</caption>
            <thead>
              <tr>
                <th scope="col">Conversation</th>
                <th scope="col">Protected</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {outcome.asked.map((id) => {
                const failed = outcome.failed?.find((f) => f.conversation.id === id);
                const on = outcome.protectedIds!.includes(id);
                return (
                  <tr key={id}>
                    <td>
                      <code>{id}</code>
                    </td>
                    <td>
                      <span className={on ? 'badge ok' : 'badge'}>{on ? 'Protected' : 'Not protected'}</span>
                    </td>
                    <td>{failed ? `${failed.errorMessage} (${failed.errorCode})` : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
