import express, { type Express } from 'express';
import { authenticate, requireSecretKey } from './auth/authenticate.ts';
import type { ApiDeps } from './deps.ts';
import { errorHandler, notFoundRoute } from './http/error-handler.ts';
import { httpMetrics, rememberMountPath } from './http/metrics.ts';
import { perKeyRateLimit } from './http/rate-limit.ts';
import { requestId } from './http/request-context.ts';
import { requestLog } from './http/request-log.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { assistantRoutes } from './routes/assistants.ts';
import { dashboardSignInRoutes } from './routes/dashboard-sign-in.ts';
import { dashboardStaticRoutes } from './routes/dashboard-static.ts';
import { docsRoutes } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { mediaRoutes } from './routes/media.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { operationsRoutes } from './routes/operations.ts';
import { organizationRoutes } from './routes/organization.ts';
import { providerCredentialRoutes } from './routes/provider-credentials.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';

/** The HTTP edge: operational endpoints, the contract and docs, the authenticated /v1 API, then the dashboard. */
export function createApiApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId, httpMetrics, requestLog(deps.logger));

  app.use(operationsRoutes(deps));
  app.use(docsRoutes());
  app.use(mediaRoutes(deps));

  const v1 = express.Router();
  v1.use(rememberMountPath, authenticate(deps.db, deps.apiKeyCache));
  v1.use(perKeyRateLimit(deps.config.rateLimit));
  v1.use(requireSecretKey);
  v1.use(express.json({ limit: deps.config.bodyLimitBytes, strict: true }));
  v1.use(organizationRoutes(deps));
  v1.use(apiKeyRoutes(deps));
  v1.use(providerCredentialRoutes(deps));
  v1.use(assistantRoutes(deps));
  v1.use(sessionRoutes(deps));
  v1.use(webhookEndpointRoutes(deps));
  v1.use(eventRoutes(deps));
  v1.use(recordingRoutes(deps));
  app.use('/v1', v1);

  if (deps.dashboard?.signInCodes) app.use(dashboardSignInRoutes(deps.db, deps.dashboard.signInCodes));
  if (deps.dashboard) app.use(dashboardStaticRoutes(deps.dashboard.distDir));

  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
