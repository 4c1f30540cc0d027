import { useState } from 'preact/hooks';
import { get, post, query } from '../../../../console/src/api.ts';
import {
  Action,
  type ConsolePage,
  Field,
  ProblemBox,
  TableHead,
  useMe,
  usePoll,
  when,
} from '../../../../console/src/ui.tsx';

interface ImportProgress {
  id: string;
  source: string;
  status: string;
  triggeredBy: string;
  createdAt: string;
  error?: string;
  counts: Record<'extracted' | 'processed' | 'failed' | 'dead' | 'pending', number>;
}

/** The import flow's page in the console: its imports and their counts, moving live. */
function ImportsPage() {
  const me = useMe();
  const [source, setSource] = useState('');
  const [start, setStart] = useState('sample');
  const search = query({ source, limit: 50 });
  const list = usePoll(
    () => get<{ items: ImportProgress[]; total: number }>(`admin/imports${search}`),
    search,
  );
  return (
    <>
      {me.admin && (
        <form class="actions" aria-label="Start an import" onSubmit={(e) => e.preventDefault()}>
          <Field label="Source to import" value={start} onInput={setStart} />
          <Action
            label="Start import"
            run={() => post('imports', { source: start })}
            done={list.reload}
          />
        </form>
      )}
      <form class="filters" aria-label="Filter imports" onSubmit={(e) => e.preventDefault()}>
        <Field label="Source" value={source} onInput={setSource} placeholder="sample" />
      </form>
      <ProblemBox problem={list.problem} />
      <table>
        <TableHead
          columns={[
            'Started',
            'Source',
            'Status',
            'Extracted',
            'Processed',
            'Failed',
            'Dead',
            'Pending',
          ]}
        />
        <tbody>
          {list.data?.items.map((i) => (
            <tr key={i.id} data-import={i.id}>
              <td>
                {when(i.createdAt)} <span class="muted">({i.triggeredBy})</span>
              </td>
              <td>{i.source}</td>
              <td data-status>
                {i.status}
                {i.error && <div class="muted">{i.error}</div>}
              </td>
              <td>{i.counts.extracted}</td>
              <td>{i.counts.processed}</td>
              <td>{i.counts.failed}</td>
              <td>{i.counts.dead}</td>
              <td>{i.counts.pending}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export const page: ConsolePage = { route: 'imports', title: 'Imports', view: ImportsPage };
