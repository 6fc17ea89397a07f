import { useEffect, useState } from 'react';
import { Empty, Loading } from './components/states';
import type { PageDef } from './pages';
import { adminPages } from './pages/admin';
import { interactionPages } from './pages/interactions';
import { SignIn } from './pages/sign-in';
import { Link, matchPath, navigate, useLocation } from './router';
import { useSession, type Me } from './session';

const PAGES: readonly PageDef[] = [...interactionPages, ...adminPages];

/** The first page the user may open: where `/` and sign-in lead. */
function home(me: Me): string {
  return PAGES.find((p) => p.nav && p.allowed(me))?.path ?? '/';
}

export function App() {
  const { me, loading } = useSession();
  if (loading) return <Loading what="Capstan" />;
  if (!me) return <SignIn />;
  return <Shell me={me} />;
}

function Shell({ me }: { me: Me }) {
  const { signOut } = useSession();
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const found = PAGES.map((page) => ({ page, params: matchPath(page.path, pathname) })).find((m) => m.params);

  useEffect(() => {
    if (pathname === '/' && home(me) !== '/') navigate(home(me), { replace: true });
  }, [pathname, me]);
  useEffect(() => {
    document.title = found ? `${found.page.title} · Capstan` : 'Capstan';
    setMenuOpen(false);
  }, [found?.page, pathname]);

  const sections = ['Recordings', 'Administration'] as const;
  return (
    <div className="shell">
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <Link to="/" className="brand">
          Capstan
        </Link>
        <span className="whoami" data-testid="whoami">
          {me.name}
          {me.roles.length ? <span className="role"> · {me.roles.map((r) => r.name).join(', ')}</span> : null}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav id="nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
        {sections.map((section) => {
          const pages = PAGES.filter((p) => p.nav?.section === section && p.allowed(me));
          if (!pages.length) return null;
          return (
            <div key={section}>
              <h2>{section}</h2>
              <ul>
                {pages.map((p) => (
                  <li key={p.path}>
                    <Link to={p.path} aria-current={pathname === p.path || pathname.startsWith(`${p.path}/`) ? 'page' : undefined}>
                      {p.nav!.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main className="content" id="content">
        {!found ? (
          pathname === '/' ? (
            <Empty title="Nothing to show yet">Your roles do not give you access to any page. Ask an administrator for a role.</Empty>
          ) : (
            <Empty title="Page not found">
              <Link to="/">Go to the start page</Link>
            </Empty>
          )
        ) : !found.page.allowed(me) ? (
          <Empty title="You do not have access to this page">Ask an administrator if you need it.</Empty>
        ) : (
          <found.page.component params={found.params!} />
        )}
      </main>
    </div>
  );
}
