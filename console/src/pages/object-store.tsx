import { useState } from 'preact/hooks';
import { get, post, query } from '../api.ts';
import {
  Action,
  Choice,
  Field,
  JsonEditor,
  ProblemBox,
  Section,
  useJsonDraft,
  useMe,
  usePoll,
  when,
  TableHead,
} from '../ui.tsx';

interface Entry {
  id: string;
  store: string;
  key: string;
  status: string;
  attempts: number;
  errorCode: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
  payload?: unknown;
}
interface EntryPage {
  items: Entry[];
  total: number;
}

const STATUSES = ['pending', 'leased', 'reprocessing', 'done', 'dead'] as const;

/** Inputs a pipeline could not process: filter, read, reprocess (edited), discard, in bulk. */
export function ObjectStorePage() {
  const me = useMe();
  const [store, setStore] = useState('');
  const [status, setStatus] = useState('');
  const [errorCode, setErrorCode] = useState('');
  const [keyPrefix, setKeyPrefix] = useState('');
  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const filter = { store, status, errorCode, keyPrefix };
  const search = query({ ...filter, limit: 100 });
  const list = usePoll(() => get<EntryPage>(`admin/object-store${search}`), search);
  const bulk = {
    filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== '')),
  };
  return (
    <>
      <form class="filters" aria-label="Filter entries" onSubmit={(e) => e.preventDefault()}>
        <Field label="Store" value={store} onInput={setStore} placeholder="import-records" />
        <Choice label="Status" value={status} options={STATUSES} any="any" onInput={setStatus} />
        <Field label="Error code" value={errorCode} onInput={setErrorCode} />
        <Field label="Key prefix" value={keyPrefix} onInput={setKeyPrefix} />
      </form>
      <ProblemBox problem={list.problem} />
      {store && (
        <div class="actions" role="group" aria-label="Bulk actions">
          <Action
            label="Reprocess all matching"
            confirm={`Reprocess every entry of ${store} matching this filter (${list.data?.total ?? '?'})?`}
            run={() => post('admin/object-store/bulk/reprocess', bulk)}
            done={list.reload}
          />
          {me.admin && (
            <Action
              label="Discard all matching"
              danger
              confirm={`Discard every entry of ${store} matching this filter (${list.data?.total ?? '?'})? They will not be processed again.`}
              run={() => post('admin/object-store/bulk/discard', bulk)}
              done={list.reload}
            />
          )}
        </div>
      )}
      <p class="muted" role="status">
        {list.data ? `${list.data.total} entries` : ''}
        {!store && ' · choose a store for bulk actions'}
      </p>
      <table>
        <TableHead columns={['Store', 'Key', 'Status', 'Attempts', 'Error', 'Changed']} open />
        <tbody>
          {list.data?.items.map((e) => (
            <tr key={e.id} data-entry={e.id}>
              <td>{e.store}</td>
              <td>{e.key}</td>
              <td>{e.status}</td>
              <td>{e.attempts}</td>
              <td class="clip">
                {e.errorCode}
                {e.lastError && `: ${e.lastError}`}
              </td>
              <td>{when(e.updatedAt)}</td>
              <td>
                <button type="button" onClick={() => setOpenId(e.id)}>
                  Open {e.key}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {openId && (
        <EntryDetail
          key={openId}
          id={openId}
          admin={me.admin}
          done={() => {
            setOpenId(undefined);
            void list.reload();
          }}
        />
      )}
    </>
  );
}

function EntryDetail(props: { id: string; admin: boolean; done: () => void }) {
  const entry = usePoll(() => get<Entry>(`admin/object-store/${props.id}`), props.id);
  const draft = useJsonDraft(entry.data?.payload, `${props.id}:${entry.data ? 'loaded' : ''}`);
  const e = entry.data;
  return (
    <Section title={`Entry ${e?.key ?? props.id}`}>
      <ProblemBox problem={entry.problem} />
      {e && (
        <>
          <dl class="facts">
            <dt>Store</dt>
            <dd>{e.store}</dd>
            <dt>Status</dt>
            <dd>{e.status}</dd>
            <dt>Attempts</dt>
            <dd>{e.attempts}</dd>
            <dt>Error</dt>
            <dd>
              {e.errorCode ?? '—'} {e.lastError}
            </dd>
            <dt>Next attempt</dt>
            <dd>{when(e.nextAttemptAt)}</dd>
          </dl>
          <JsonEditor label="Payload" text={draft.text} onInput={draft.setText} />
          <div class="actions">
            <Action
              label="Reprocess"
              run={() => post(`admin/object-store/${e.id}/reprocess`, {})}
              done={props.done}
            />
            <Action
              label="Reprocess with this payload"
              run={() => post(`admin/object-store/${e.id}/reprocess`, { payload: draft.parse() })}
              done={props.done}
            />
            {props.admin && (
              <Action
                label="Discard"
                danger
                confirm={`Discard ${e.key}? It will not be processed again.`}
                run={() => post(`admin/object-store/${e.id}/discard`, {})}
                done={props.done}
              />
            )}
          </div>
        </>
      )}
    </Section>
  );
}
