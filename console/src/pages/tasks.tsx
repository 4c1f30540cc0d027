import { get, post } from '../api.ts';
import { Action, ProblemBox, usePoll, when, TableHead } from '../ui.tsx';

interface Task {
  name: string;
  everyMs: number;
  running: boolean;
  lastRuns: { trigger: string; startedAt: string; outcome: string; error?: string }[];
}

/** The scheduled tasks of the process that answers: latest runs, run now. */
export function TasksPage() {
  const tasks = usePoll(() => get<Task[]>('admin/reprocessing'), 'tasks');
  return (
    <>
      <ProblemBox problem={tasks.problem} />
      <table>
        <TableHead columns={['Task', 'Every', 'Latest run', 'Actions']} />
        <tbody>
          {tasks.data?.map((t) => {
            const last = t.lastRuns[0];
            return (
              <tr key={t.name} data-task={t.name}>
                <th scope="row">{t.name}</th>
                <td>{Math.round(t.everyMs / 1000)} s</td>
                <td>
                  {t.running
                    ? 'running'
                    : last
                      ? `${last.outcome} (${last.trigger}) ${when(last.startedAt)}${last.error ? `: ${last.error}` : ''}`
                      : 'not yet'}
                </td>
                <td>
                  <Action
                    label={`Run ${t.name} now`}
                    run={() => post('admin/reprocessing/run', { task: t.name })}
                    done={tasks.reload}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
