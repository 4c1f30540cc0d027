import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import {
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'preact/hooks';
import { type Me, type Problem, ProblemError } from './api.ts';

/** A page of the console: its hash route, its title, and whether only admins may open it. */
export interface ConsolePage {
  route: string;
  title: string;
  adminOnly?: boolean;
  view: () => preact.JSX.Element;
}

/** How often a page asks the API again: live enough for a person, light for the app. */
export const POLL_MS = 2000;

/** The caller: pages hide what their roles may not do. */
export const MeContext = createContext<Me | undefined>(undefined);
export const useMe = (): Me => useContext(MeContext)!;

export function asProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  return { title: 'Unexpected error', status: 0, detail: String(error) };
}

/**
 * Loads with `load` now, whenever `key` changes and every `POLL_MS`; `reload()` at once after
 * an action. A poll that fails shows the problem and keeps the last data.
 */
export function usePoll<T>(load: () => Promise<T>, key: string) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await latest.current());
      setProblem(undefined);
    } catch (error) {
      setProblem(asProblem(error));
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
    const timer = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [key, reload]);
  return { data, problem, reload };
}

/** The API's problem details, as it sent them. */
export function ProblemBox({ problem }: { problem?: Problem }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.status ? `${problem.status} ` : ''}
        {problem.title}
      </strong>
      {problem.detail && <p>{problem.detail}</p>}
      {problem.errors && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {(problem.code || problem.correlationId) && (
        <p class="muted">
          {problem.code && <>code {problem.code}</>}
          {problem.correlationId && <> · correlation id {problem.correlationId}</>}
        </p>
      )}
    </div>
  );
}

/**
 * A button that runs an API action: asks first when `confirm` is given (destructive), in the
 * page's own modal dialog (keyboard-usable: focus moves into it, Escape cancels, focus comes
 * back to the button), shows the API's problem on failure, and `done` (a reload) on success.
 */
export function Action(props: {
  label: string;
  run: () => Promise<unknown>;
  done?: (result: unknown) => void;
  confirm?: string;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [message, setMessage] = useState('');
  const button = useRef<HTMLButtonElement>(null);
  async function act() {
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      const result = await props.run();
      setMessage(`${props.label}: done`);
      props.done?.(result);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }
  const [answeredOnce, setAnsweredOnce] = useState(0);
  // Back to the button once the dialog is gone: focused while it closes, the focus is lost.
  // (and again once the action ends: disabled while it ran, the button lost the focus).
  // Layout effect: in the same turn as the dialog's removal, so no key lands on the body.
  useLayoutEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (answeredOnce > 0 && lost) button.current?.focus();
  }, [answeredOnce, busy]);
  function answered(yes: boolean) {
    setAsking(false);
    setAnsweredOnce((n) => n + 1);
    if (yes) void act();
  }
  return (
    <span class="action">
      <button
        ref={button}
        type="button"
        class={props.danger ? 'danger' : undefined}
        disabled={busy || props.disabled}
        onClick={() => (props.confirm ? setAsking(true) : void act())}
      >
        {props.label}
      </button>
      <span class="sr-status" role="status">
        {message}
      </span>
      {asking && props.confirm && (
        <ConfirmDialog
          question={props.confirm}
          yes={props.label}
          danger={props.danger}
          onAnswer={answered}
        />
      )}
      <ProblemBox problem={problem} />
    </span>
  );
}

let dialogs = 0;

/** A modal question, answered by its two buttons; Escape (the dialog's cancel) is a no. */
function ConfirmDialog(props: {
  question: string;
  yes: string;
  danger?: boolean;
  onAnswer: (yes: boolean) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [id] = useState(() => `confirm-${++dialogs}`);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby={`${id}-question`}
      onCancel={(event) => {
        event.preventDefault();
        props.onAnswer(false);
      }}
    >
      <p id={`${id}-question`}>{props.question}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => props.onAnswer(false)}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'danger' : undefined}
          onClick={() => props.onAnswer(true)}
        >
          {`Yes, ${props.yes.charAt(0).toLowerCase()}${props.yes.slice(1)}`}
        </button>
      </div>
    </dialog>
  );
}

/** A labelled text input of a filter form. */
export function Field(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        type="text"
        value={props.value}
        placeholder={props.placeholder}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}

/** A labelled choice of a filter form; the empty choice means "any". */
export function Choice(props: {
  label: string;
  value: string;
  options: readonly string[];
  onInput: (value: string) => void;
  any?: string;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select
        value={props.value}
        onChange={(e) => props.onInput((e.target as HTMLSelectElement).value)}
      >
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** JSON as text, for envelopes, payloads and details. */
export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** An editable JSON payload; `parse()` says what is wrong with it. */
export function useJsonDraft(initial: unknown, key: string) {
  const [text, setText] = useState(JSON.stringify(initial ?? {}, null, 2));
  useEffect(() => setText(JSON.stringify(initial ?? {}, null, 2)), [key]);
  function parse(): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ProblemError({
        title: 'The payload is not JSON',
        status: 0,
        detail: (error as Error).message,
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ProblemError({ title: 'The payload must be a JSON object', status: 0 });
    return value as Record<string, unknown>;
  }
  return { text, setText, parse };
}

export function JsonEditor(props: { label: string; text: string; onInput: (t: string) => void }) {
  return (
    <label class="field wide">
      <span>{props.label}</span>
      <textarea
        rows={10}
        spellcheck={false}
        value={props.text}
        onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
      />
    </label>
  );
}

export function Section(props: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

export const when = (iso?: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** A table's column headings; `open`, a last column of "Open" buttons named for screen readers. */
export function TableHead({ columns, open }: { columns: string[]; open?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {open && (
          <th scope="col">
            <span class="sr-only">Open</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
