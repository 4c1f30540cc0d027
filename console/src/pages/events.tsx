import { useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import {
  Action,
  Choice,
  JsonEditor,
  ProblemBox,
  Section,
  TableHead,
  useJsonDraft,
  useMe,
  usePoll,
} from '../ui.tsx';

interface EventView {
  name: string;
  publishers: string[];
  subscribers: string[];
  length: number;
  groups: { pipeline: string; pending: number; lag: number | null }[];
}

interface Published {
  eventId: string;
  correlationId: string;
}

/** Every event with its publishers, subscribers and stream; an admin publishes a test event. */
export function EventsPage() {
  const me = useMe();
  const events = usePoll(() => get<EventView[]>('admin/events'), 'events');
  const names = events.data?.map((e) => e.name) ?? [];
  return (
    <>
      <Section title="Events">
        <ProblemBox problem={events.problem} />
        <table>
          <TableHead columns={['Event', 'Publishers', 'Subscribers', 'In the stream']} />
          <tbody>
            {events.data?.map((e) => (
              <tr key={e.name} data-event={e.name}>
                <th scope="row">{e.name}</th>
                <td>{e.publishers.join(', ') || '—'}</td>
                <td>{e.subscribers.join(', ') || '—'}</td>
                <td>{e.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {me.admin && names.length > 0 && <PublishTestEvent names={names} />}
    </>
  );
}

/**
 * Publishes a test event as the admin API does (source "admin", the payload checked against the
 * event's contract): it reaches every subscribing pipeline, so the console asks first.
 */
function PublishTestEvent({ names }: { names: string[] }) {
  const [name, setName] = useState(names[0]!);
  const draft = useJsonDraft({}, 'publish');
  const [published, setPublished] = useState<Published | undefined>(undefined);
  return (
    <Section title="Publish a test event">
      <form onSubmit={(e) => e.preventDefault()}>
        <Choice label="Event to publish" value={name} options={names} onInput={setName} />
        <JsonEditor label="Payload to publish" text={draft.text} onInput={draft.setText} />
        <Action
          label="Publish"
          confirm={`Publish a test ${name} event to every pipeline subscribed to it?`}
          run={() =>
            post<Published>(`admin/events/${encodeURIComponent(name)}/publish`, {
              payload: draft.parse(),
            })
          }
          done={(result) => setPublished(result as Published)}
        />
      </form>
      {published && (
        <p role="status" data-published={published.eventId}>
          Published event {published.eventId} (correlation {published.correlationId})
        </p>
      )}
    </Section>
  );
}
