import { useState } from 'preact/hooks';
import { get, query } from '../api.ts';
import { Field, ProblemBox, usePoll, when, TableHead } from '../ui.tsx';

interface AuditRecord {
  id: string;
  actor: string;
  authMethod: string;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: string;
  statusCode: number;
  occurredAt: string;
}

/** Who did what: the audit trail (admin only). */
export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const search = query({ actor, action, limit: 100 });
  const list = usePoll(
    () => get<{ items: AuditRecord[]; total: number }>(`admin/audit${search}`),
    search,
  );
  return (
    <>
      <form
        class="filters"
        aria-label="Filter the audit trail"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Actor" value={actor} onInput={setActor} />
        <Field label="Action" value={action} onInput={setAction} placeholder="dead-letter.replay" />
      </form>
      <ProblemBox problem={list.problem} />
      <table>
        <TableHead columns={['When', 'Who', 'Action', 'Target', 'Outcome']} />
        <tbody>
          {list.data?.items.map((r) => (
            <tr key={r.id}>
              <td>{when(r.occurredAt)}</td>
              <td>
                {r.actor} <span class="muted">({r.authMethod})</span>
              </td>
              <td>{r.action}</td>
              <td>
                {r.targetType} {r.targetId}
              </td>
              <td>
                {r.outcome} ({r.statusCode})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
