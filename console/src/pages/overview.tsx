import { get, post } from '../api.ts';
import { TopologyGraph, type TopologyData } from '../topology-graph.tsx';
import { Action, ProblemBox, Section, useMe, usePoll } from '../ui.tsx';

interface Subscription {
  event: string;
  pending: number;
  lag: number | null;
}
interface Pipeline {
  name: string;
  role?: string;
  description?: string;
  runsHere: boolean;
  paused: boolean;
  publishes: string[];
  subscriptions: Subscription[];
  liveInstances: number;
}

/** Every pipeline with its state, pause and resume; the events between them. */
export function OverviewPage() {
  const me = useMe();
  const pipelines = usePoll(() => get<Pipeline[]>('admin/pipelines'), 'pipelines');
  const topology = usePoll(() => get<TopologyData>('admin/topology'), 'topology');
  return (
    <>
      <Section title="Pipelines">
        <ProblemBox problem={pipelines.problem} />
        <table>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Role</th>
              <th scope="col">Instances</th>
              <th scope="col">Subscriptions (pending / lag)</th>
              <th scope="col">State</th>
              {me.admin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {pipelines.data?.map((p) => (
              <tr key={p.name} data-pipeline={p.name}>
                <th scope="row">
                  {p.name}
                  {p.description && <div class="muted">{p.description}</div>}
                </th>
                <td>{p.role ?? '—'}</td>
                <td>
                  {p.liveInstances}
                  {!p.runsHere && <span class="muted"> (elsewhere)</span>}
                </td>
                <td>
                  <ul class="plain">
                    {p.subscriptions.map((s) => (
                      <li key={s.event} data-subscription={s.event}>
                        {s.event}: <span data-pending>{s.pending}</span> /{' '}
                        <span data-lag>{s.lag ?? '?'}</span>
                      </li>
                    ))}
                  </ul>
                </td>
                <td data-state>{p.paused ? 'paused' : 'running'}</td>
                {me.admin && (
                  <td>
                    {p.paused ? (
                      <Action
                        label={`Resume ${p.name}`}
                        run={() => post(`admin/pipelines/${p.name}/resume`)}
                        done={pipelines.reload}
                      />
                    ) : (
                      <Action
                        label={`Pause ${p.name}`}
                        confirm={`Pause ${p.name}? Its events wait in the stream until it resumes.`}
                        run={() => post(`admin/pipelines/${p.name}/pause`)}
                        done={pipelines.reload}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Topology">
        <ProblemBox problem={topology.problem} />
        <p class="muted">Who publishes each event, and the pipelines subscribing to it.</p>
        {/* Focusable, so a keyboard can scroll a drawing wider than the screen. */}
        {topology.data && (
          <div class="drawing" tabIndex={0} role="group" aria-label="Topology drawing">
            <TopologyGraph topology={topology.data} describedBy="topology-list" />
          </div>
        )}
        <ul class="topology" id="topology-list">
          {topology.data?.events.map((e) => (
            <li key={e.name}>
              <span class="publishers">{e.publishers.join(', ') || '(no publisher here)'}</span>
              <span aria-hidden="true"> → </span>
              <strong class="event">{e.name}</strong>
              <span aria-hidden="true"> → </span>
              <span class="subscribers">{e.subscribers.join(', ') || '(no subscriber)'}</span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
