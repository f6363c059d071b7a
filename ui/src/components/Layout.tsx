import { Link, NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth.js';

export function Layout() {
  const { workspace, me, signOut } = useAuth();
  const role = me?.workspaces.find((w) => w.id === workspace?.id)?.role;
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/datasets" className="brand">
          evalstore
        </Link>
        <nav>
          <NavLink to="/datasets">Datasets</NavLink>
          {(me === undefined || role === 'admin') && <NavLink to="/people">People</NavLink>}
          <NavLink to="/queues">Review</NavLink>
        </nav>
        <div className="topbar-right">
          <span className="workspace" title={workspace ? `Workspace id ${workspace.id}` : undefined}>
            Workspace <strong data-testid="workspace-name">{workspace?.name ?? '…'}</strong>
          </span>
          {me && (
            <span className="user" data-testid="user-name" title={`${me.user.email}, ${role ?? 'no'} role`}>
              {me.user.display_name}
            </span>
          )}
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
