import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { errorMessage } from '../api/api-error';
import { useApiKey } from '../auth/key-store';
import { exchangeLoginCode, takeLoginCode } from '../auth/one-time-link';
import { SignInPage } from '../auth/SignInPage';
import { Loading } from '../components/States';
import { AssistantBuilderPage } from '../pages/assistants/AssistantBuilderPage';
import { AssistantsPage } from '../pages/assistants/AssistantsPage';
import { SessionsPage } from '../pages/sessions/SessionsPage';
import { ApiKeysPage } from '../pages/settings/ApiKeysPage';
import { OrganizationPage } from '../pages/settings/OrganizationPage';
import { ProviderCredentialsPage } from '../pages/settings/ProviderCredentialsPage';
import { WebhookEndpointPage } from '../pages/webhooks/WebhookEndpointPage';
import { WebhooksPage } from '../pages/webhooks/WebhooksPage';
import { Layout } from './Layout';

// Pages that pull in audio, playback or chart code, and the test-suite pages, load when visited.
const TestCallPage = lazy(() => import('../pages/test-call/TestCallPage'));
const SessionPage = lazy(() => import('../pages/sessions/SessionPage'));
const UsagePage = lazy(() => import('../pages/usage/UsagePage'));
const TestSuitesPage = lazy(() => import('../pages/test-suites/TestSuitesPage'));
const TestSuitePage = lazy(() => import('../pages/test-suites/TestSuitePage'));
const TestRunPage = lazy(() => import('../pages/test-suites/TestRunPage'));

export function App() {
  const key = useApiKey();
  const queryClient = useQueryClient();
  const [loginCode] = useState(takeLoginCode);
  const [linkState, setLinkState] = useState<{ pending: boolean; error?: string }>({ pending: loginCode !== null });

  useEffect(() => {
    if (!loginCode) return;
    exchangeLoginCode(loginCode)
      .then(() => setLinkState({ pending: false }))
      .catch((error: unknown) => setLinkState({ pending: false, error: errorMessage(error) }));
  }, [loginCode]);

  // Nothing cached under one organization may show under the next.
  useEffect(() => {
    if (!key) queryClient.clear();
  }, [key, queryClient]);

  if (linkState.pending) return <Loading label="Signing in…" />;
  if (!key) return <SignInPage linkError={linkState.error} />;

  return (
    <BrowserRouter>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<Navigate to="/assistants" replace />} />
            <Route path="assistants" element={<AssistantsPage />} />
            <Route path="assistants/new" element={<AssistantBuilderPage />} />
            <Route path="assistants/:id" element={<AssistantBuilderPage />} />
            <Route path="assistants/:id/call" element={<TestCallPage />} />
            <Route path="sessions" element={<SessionsPage />} />
            <Route path="sessions/:id" element={<SessionPage />} />
            <Route path="test-suites" element={<TestSuitesPage />} />
            <Route path="test-suites/:id" element={<TestSuitePage />} />
            <Route path="test-runs/:id" element={<TestRunPage />} />
            <Route path="usage" element={<UsagePage />} />
            <Route path="webhooks" element={<WebhooksPage />} />
            <Route path="webhooks/:id" element={<WebhookEndpointPage />} />
            <Route path="api-keys" element={<ApiKeysPage />} />
            <Route path="provider-credentials" element={<ProviderCredentialsPage />} />
            <Route path="settings" element={<OrganizationPage />} />
            <Route path="*" element={<Navigate to="/assistants" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
