import { Link, NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth.js';

export function Layout() {
  const { workspace, signOut } = useAuth();
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/datasets" className="brand">
          evalstore
        </Link>
        <nav>
          <NavLink to="/datasets">Datasets</NavLink>
          <NavLink to="/queues">Review</NavLink>
        </nav>
        <div className="topbar-right">
          <span className="workspace" title={workspace ? `Workspace id ${workspace.id}` : undefined}>
            Workspace <strong data-testid="workspace-name">{workspace?.name ?? '…'}</strong>
          </span>
          <a href="/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
          <button type="button" className="ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
