import { useState } from 'preact/hooks';
import { call, post, query } from '../api.ts';
import {
  Action,
  Choice,
  Field,
  Json,
  JsonEditor,
  ProblemBox,
  Section,
  useJsonDraft,
  useMe,
  usePoll,
  when,
  TableHead,
} from '../ui.tsx';

const REASONS = ['malformed-envelope', 'invalid-payload', 'non-retriable', 'max-deliveries'];

interface DeadLetter {
  id: string;
  event: string;
  pipeline: string;
  reason: string;
  error: string;
  attempts: number;
  deadAt: string;
  envelope: unknown;
}

/** Events a pipeline gave up on: filter, read, replay (edited), delete. */
export function DeadLettersPage() {
  const me = useMe();
  const [event, setEvent] = useState('');
  const [pipeline, setPipeline] = useState('');
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [open, setOpen] = useState<DeadLetter | undefined>(undefined);
  // The pages seen so far: the first has no cursor, each next one the cursor its Link gave.
  const [cursors, setCursors] = useState<string[]>([]);
  const filter = { event, pipeline, reason, from, to };
  const search = query({ ...filter, limit: 50, cursor: cursors.at(-1) });
  const list = usePoll(async () => {
    const { data, headers } = await call<DeadLetter[]>(`admin/dead-letters${search}`);
    const next = /[?&]cursor=([^&>]+)[^>]*>; rel="next"/.exec(headers.get('Link') ?? '')?.[1];
    return { letters: data, next: next && decodeURIComponent(next) };
  }, search);
  const refilter = (set: (value: string) => void) => (value: string) => {
    setCursors([]);
    set(value);
  };
  const bulk = { filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== '')) };
  return (
    <>
      <form class="filters" aria-label="Filter dead letters" onSubmit={(e) => e.preventDefault()}>
        <Field
          label="Event"
          value={event}
          onInput={refilter(setEvent)}
          placeholder="purchase.completed"
        />
        <Field
          label="Pipeline"
          value={pipeline}
          onInput={refilter(setPipeline)}
          placeholder="store-receipt"
        />
        <Choice
          label="Reason"
          value={reason}
          options={REASONS}
          any="any"
          onInput={refilter(setReason)}
        />
        <Field
          label="Dead from"
          value={from}
          onInput={refilter(setFrom)}
          placeholder="2026-01-01T00:00:00Z"
        />
        <Field label="Dead until" value={to} onInput={refilter(setTo)} placeholder="ISO 8601" />
      </form>
      <ProblemBox problem={list.problem} />
      {me.admin && (
        <div class="actions" role="group" aria-label="Bulk actions">
          <Action
            label="Replay all matching"
            confirm="Replay every dead letter matching this filter, as it was?"
            run={() => post('admin/dead-letters/bulk/replay', bulk)}
            done={list.reload}
          />
        </div>
      )}
      <table>
        <TableHead columns={['Dead at', 'Event', 'Pipeline', 'Reason', 'Attempts', 'Error']} open />
        <tbody>
          {list.data?.letters.map((d) => (
            <tr key={d.id} data-dead-letter={d.id}>
              <td>{when(d.deadAt)}</td>
              <td>{d.event}</td>
              <td>{d.pipeline}</td>
              <td>{d.reason}</td>
              <td>{d.attempts}</td>
              <td class="clip">{d.error}</td>
              <td>
                <button type="button" onClick={() => setOpen(d)}>
                  Open {d.id}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.letters.length === 0 && <p role="status">No dead letter matches.</p>}
      <div class="actions">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors([])}>
            Newest
          </button>
        )}
        {list.data?.next && (
          <button type="button" onClick={() => setCursors([...cursors, list.data!.next!])}>
            Older
          </button>
        )}
      </div>
      {open && (
        <DeadLetterDetail
          key={open.id}
          letter={open}
          admin={me.admin}
          done={() => {
            setOpen(undefined);
            void list.reload();
          }}
        />
      )}
    </>
  );
}

function DeadLetterDetail(props: { letter: DeadLetter; admin: boolean; done: () => void }) {
  const { letter } = props;
  const payload = (letter.envelope as { payload?: unknown } | null)?.payload;
  const draft = useJsonDraft(payload, letter.id);
  return (
    <Section title={`Dead letter ${letter.id}`}>
      <p>
        <strong>{letter.reason}</strong>: {letter.error}
      </p>
      <h3>Envelope</h3>
      <Json value={letter.envelope} label="Envelope" />
      <JsonEditor label="Payload to replay" text={draft.text} onInput={draft.setText} />
      <div class="actions">
        <Action
          label="Replay as it was"
          run={() => post(`admin/dead-letters/${encodeURIComponent(letter.id)}/replay`, {})}
          done={props.done}
        />
        <Action
          label="Replay with this payload"
          run={() =>
            post(`admin/dead-letters/${encodeURIComponent(letter.id)}/replay`, {
              payload: draft.parse(),
            })
          }
          done={props.done}
        />
        {props.admin && (
          <Action
            label="Delete"
            danger
            confirm={`Delete dead letter ${letter.id} for good?`}
            run={() =>
              call(`admin/dead-letters/${encodeURIComponent(letter.id)}`, { method: 'DELETE' })
            }
            done={props.done}
          />
        )}
      </div>
    </Section>
  );
}
