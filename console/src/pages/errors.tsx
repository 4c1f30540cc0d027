import { useState } from 'preact/hooks';
import { call, get, post, query } from '../api.ts';
import {
  Action,
  Choice,
  Field,
  Json,
  ProblemBox,
  Section,
  useMe,
  usePoll,
  when,
  TableHead,
} from '../ui.tsx';

interface ErrorRecord {
  id: string;
  pipeline: string;
  code: string;
  message: string;
  status: string;
  correlationId: string;
  failedEvent: unknown;
  reference: unknown;
  context: unknown;
  notifications: unknown;
  note: string | null;
  occurredAt: string;
}
interface ErrorPage {
  items: ErrorRecord[];
  total: number;
}

const STATUSES = ['open', 'alerted', 'reprocessing', 'resolved'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** The error store: filter, read with the failed event, resolve and annotate, ITSM again. */
export function ErrorsPage() {
  const me = useMe();
  const [pipeline, setPipeline] = useState('');
  const [code, setCode] = useState('');
  const [status, setStatus] = useState('');
  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const search = query({ pipeline, code, status, limit: 100 });
  const list = usePoll(() => get<ErrorPage>(`admin/errors${search}`), search);
  return (
    <>
      <form class="filters" aria-label="Filter errors" onSubmit={(e) => e.preventDefault()}>
        <Field label="Pipeline" value={pipeline} onInput={setPipeline} />
        <Field label="Code" value={code} onInput={setCode} />
        <Choice label="Status" value={status} options={STATUSES} any="any" onInput={setStatus} />
      </form>
      <ProblemBox problem={list.problem} />
      <p class="muted" role="status">
        {list.data ? `${list.data.total} errors` : ''}
      </p>
      <table>
        <TableHead columns={['When', 'Pipeline', 'Code', 'Status', 'Message']} open />
        <tbody>
          {list.data?.items.map((e) => (
            <tr key={e.id} data-error={e.id}>
              <td>{when(e.occurredAt)}</td>
              <td>{e.pipeline}</td>
              <td>{e.code}</td>
              <td data-status>{e.status}</td>
              <td class="clip">{e.message}</td>
              <td>
                <button type="button" onClick={() => setOpenId(e.id)}>
                  Open {e.code}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {openId && <ErrorDetail key={openId} id={openId} admin={me.admin} done={list.reload} />}
    </>
  );
}

function ErrorDetail(props: { id: string; admin: boolean; done: () => void }) {
  const record = usePoll(() => get<ErrorRecord>(`admin/errors/${props.id}`), props.id);
  const [note, setNote] = useState('');
  const [severity, setSeverity] = useState('medium');
  const e = record.data;
  const after = () => {
    void record.reload();
    props.done();
  };
  return (
    <Section title={`Error ${e?.code ?? props.id}`}>
      <ProblemBox problem={record.problem} />
      {e && (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd data-detail-status>{e.status}</dd>
            <dt>Message</dt>
            <dd>{e.message}</dd>
            <dt>Correlation id</dt>
            <dd>{e.correlationId}</dd>
            <dt>Note</dt>
            <dd>{e.note ?? '—'}</dd>
          </dl>
          <h3>Failed event</h3>
          <Json value={e.failedEvent ?? e.reference} label="Failed event" />
          <h3>Notifications</h3>
          <Json value={e.notifications} label="Notifications" />
          {props.admin && (
            <div class="actions">
              <Field label="Note" value={note} onInput={setNote} />
              <Action
                label={e.status === 'resolved' ? 'Open again' : 'Resolve'}
                run={() =>
                  call(`admin/errors/${e.id}`, {
                    method: 'PATCH',
                    body: {
                      status: e.status === 'resolved' ? 'open' : 'resolved',
                      ...(note ? { note } : {}),
                    },
                  })
                }
                done={after}
              />
              <Action
                label="Save note"
                disabled={!note}
                run={() => call(`admin/errors/${e.id}`, { method: 'PATCH', body: { note } })}
                done={after}
              />
            </div>
          )}
          <div class="actions">
            <Choice label="Severity" value={severity} options={SEVERITIES} onInput={setSeverity} />
            <Action
              label="Send to ITSM again"
              confirm="Open an ITSM incident for this error?"
              run={() => post(`admin/errors/${e.id}/itsm`, { severity })}
              done={after}
            />
          </div>
        </>
      )}
    </Section>
  );
}
