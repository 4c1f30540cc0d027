import { useState } from 'preact/hooks';
import { call, get, post, query } from '../api.ts';
import {
  Action,
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
  const [open, setOpen] = useState<DeadLetter | undefined>(undefined);
  const filter = query({ event, pipeline });
  const list = usePoll(() => get<DeadLetter[]>(`admin/dead-letters${filter}`), filter);
  return (
    <>
      <form class="filters" aria-label="Filter dead letters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Event" value={event} onInput={setEvent} placeholder="purchase.completed" />
        <Field
          label="Pipeline"
          value={pipeline}
          onInput={setPipeline}
          placeholder="store-receipt"
        />
      </form>
      <ProblemBox problem={list.problem} />
      <table>
        <TableHead columns={['Dead at', 'Event', 'Pipeline', 'Reason', 'Attempts', 'Error']} open />
        <tbody>
          {list.data?.map((d) => (
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
      {list.data?.length === 0 && <p role="status">No dead letter matches.</p>}
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
