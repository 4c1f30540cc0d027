import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  type Credentials,
  get,
  type Me,
  type Problem,
  storeCredentials,
  storedCredentials,
} from './api.ts';
import { AuditPage } from './pages/audit.tsx';
import { DeadLettersPage } from './pages/dead-letters.tsx';
import { ErrorsPage } from './pages/errors.tsx';
import { EventsPage } from './pages/events.tsx';
import { ObjectStorePage } from './pages/object-store.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { pages as contributed } from './contributed.ts';
import './style.css';
import { asProblem, type ConsolePage, MeContext, ProblemBox } from './ui.tsx';

const PAGES: ConsolePage[] = [
  { route: 'overview', title: 'Overview', view: OverviewPage },
  { route: 'events', title: 'Events', view: EventsPage },
  { route: 'dead-letters', title: 'Dead letters', view: DeadLettersPage },
  { route: 'object-store', title: 'Object Store', view: ObjectStorePage },
  { route: 'errors', title: 'Errors', view: ErrorsPage },
  ...contributed,
  { route: 'tasks', title: 'Scheduled tasks', view: TasksPage },
  { route: 'audit', title: 'Audit', adminOnly: true, view: AuditPage },
];

/** Hash routes (`#/errors`): the app serves one page, whatever the route, under any prefix. */
function useRoute(): string {
  const read = () => location.hash.replace(/^#\/?/, '') || 'overview';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** Asks once for a bearer token or an API key, kept in this tab's session storage. */
function SignIn({ problem, signedIn }: { problem?: Problem; signedIn: () => void }) {
  const [kind, setKind] = useState<Credentials['kind']>('bearer');
  const [value, setValue] = useState('');
  return (
    <main id="main" class="sign-in">
      <h1>Tributary console</h1>
      <p>Sign in with a bearer token (JWT) or an API key. It is kept for this tab only.</p>
      <ProblemBox problem={problem} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          storeCredentials({ kind, value: value.trim() });
          signedIn();
        }}
      >
        <fieldset>
          <legend>Credential</legend>
          <label>
            <input
              type="radio"
              name="kind"
              checked={kind === 'bearer'}
              onChange={() => setKind('bearer')}
            />{' '}
            Bearer token
          </label>
          <label>
            <input
              type="radio"
              name="kind"
              checked={kind === 'api-key'}
              onChange={() => setKind('api-key')}
            />{' '}
            API key
          </label>
        </fieldset>
        <label class="field wide">
          <span>{kind === 'bearer' ? 'Token' : 'Key'}</span>
          <input
            type="password"
            autocomplete="off"
            required
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | undefined>(undefined);
  // Set when the console must ask for credentials, with the reason when there is one to tell.
  const [asking, setAsking] = useState<{ problem?: Problem } | undefined>(undefined);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    get<Me>('admin/me').then(
      (who) => {
        setMe(who);
        setAsking(undefined);
      },
      (error: unknown) => {
        setMe(undefined);
        const problem = asProblem(error);
        // No credentials yet: just ask. Refused ones: forget them, and say why.
        const quiet = problem.status === 401 && !storedCredentials();
        if (problem.status === 401) storeCredentials(undefined);
        setAsking({ problem: quiet ? undefined : problem });
      },
    );
  }, [asked]);

  if (!me) {
    if (!asking) return <p role="status">Loading…</p>;
    return <SignIn problem={asking.problem} signedIn={() => setAsked(asked + 1)} />;
  }
  const visible = PAGES.filter((p) => me.admin || !p.adminOnly);
  const page = visible.find((p) => p.route === route) ?? visible[0]!;
  const View = page.view;
  return (
    <MeContext.Provider value={me}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header>
        <span class="brand">Tributary</span>
        <nav aria-label="Console">
          <ul>
            {visible.map((p) => (
              <li key={p.route}>
                <a href={`#/${p.route}`} aria-current={p === page ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" data-testid="who">
          {me.subject} ({me.roles.join(', ') || 'no role'}, {me.method})
          {me.method !== 'gateway' && (
            <button
              type="button"
              class="link"
              onClick={() => {
                storeCredentials(undefined);
                setAsked(asked + 1);
              }}
            >
              Sign out
            </button>
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{page.title}</h1>
        <View />
      </main>
    </MeContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
