import { NavLink, Outlet } from 'react-router';
import { signOut } from '../auth/key-store';
import { useOrganization } from '../pages/settings/use-organization';

const NAV = [
  { to: '/assistants', label: 'Assistants' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/test-suites', label: 'Test suites' },
  { to: '/usage', label: 'Usage' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/provider-credentials', label: 'Providers' },
  { to: '/settings', label: 'Settings' },
];

export function Layout() {
  const organization = useOrganization();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>EchoSphere</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <span className="org-name" title={organization.data?.id}>{organization.data?.name ?? ' '}</span>
          <button type="button" className="button ghost small" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
