import express, { type Express, type Router } from 'express';
import { authenticate } from './auth/authenticate.ts';
import { publicKeyScope } from './auth/public-key-scope.ts';
import type { ApiDeps } from './deps.ts';
import { liveKitWebhookRoutes } from './routes/livekit-webhook.ts';
import { keyCors, noPreflightAllowance, sessionsPreflight, varyOnOrigin } from './http/browser-cors.ts';
import { errorHandler, notFoundRoute } from './http/error-handler.ts';
import { jsonBody } from './http/json-body.ts';
import { httpMetrics, rememberMountPath } from './http/metrics.ts';
import { parseQueryString } from './http/query-string.ts';
import { FailedAuthThrottle } from './limits/failed-auth-throttle.ts';
import { perKeyRateLimit } from './limits/per-key-rate-limit.ts';
import { SharedWindowStore } from './limits/shared-window-store.ts';
import { requestId } from './http/request-context.ts';
import { replyAfterRequestBody } from './http/reply-after-request-body.ts';
import { requestLog } from './http/request-log.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { assistantRoutes } from './routes/assistants.ts';
import { dashboardSignInRoutes } from './routes/dashboard-sign-in.ts';
import { dashboardStaticRoutes } from './routes/dashboard-static.ts';
import { docsRoutes } from './routes/docs.ts';
import { assistantEvaluationRoutes, sessionEvaluationRoutes } from './routes/evaluations.ts';
import { eventRoutes } from './routes/events.ts';
import { mediaRoutes } from './routes/media.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { operationsRoutes } from './routes/operations.ts';
import { organizationRoutes } from './routes/organization.ts';
import { providerCredentialRoutes } from './routes/provider-credentials.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { voiceRoutes } from './routes/voices.ts';
import { usageRoutes } from './routes/usage.ts';
import { billingRoutes } from './routes/billing.ts';
import { stripeWebhookRoutes } from './routes/stripe-webhook.ts';
import { suiteRunRoutes, testRunRoutes } from './routes/test-runs.ts';
import { testSuiteRoutes } from './routes/test-suites.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';

/** The HTTP edge: operational endpoints, the contract and docs, the authenticated /v1 API, then the dashboard. */
export function createApiApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', parseQueryString);
  app.set('trust proxy', deps.config.trustProxy);
  app.use(replyAfterRequestBody(deps.config.bodyDrainBytes), requestId, httpMetrics, requestLog(deps.logger));

  // Signed by the LiveKit server with its key pair, not with an API key: before /v1's authentication.
  app.use(liveKitWebhookRoutes(deps));

  // /v1 first: it carries almost all traffic, and each resource router is mounted on its own prefix so a request
  // walks a handful of layers instead of every route of every resource.
  // Signed by Stripe rather than authenticated with an API key, and verified over the raw body: before /v1's middleware.
  app.use(stripeWebhookRoutes(deps));
  const v1 = express.Router();
  v1.use(varyOnOrigin);
  v1.options('/sessions', sessionsPreflight);
  v1.use(noPreflightAllowance);
  const { authFailures, rateLimit } = deps.config;
  const failedAuthThrottle = new FailedAuthThrottle(sharedCounts(deps, 'auth-failure', authFailures.windowS), authFailures.limit);
  v1.use(authenticate(deps.db, deps.apiKeyCache, failedAuthThrottle));
  v1.use(keyCors);
  v1.use(perKeyRateLimit(rateLimit, sharedCounts(deps, 'key', rateLimit.windowS)));
  v1.use(publicKeyScope);
  // Authentication comes before the body is read: a bad key is a 401 whatever the body, a good one with too large a body a 413.
  v1.use(jsonBody(deps.config.bodyLimitBytes));
  const resources: Array<[string, ...Router[]]> = [
    ['/organization', organizationRoutes(deps)],
    ['/api-keys', apiKeyRoutes(deps)],
    ['/provider-credentials', providerCredentialRoutes(deps)],
    ['/assistants', assistantRoutes(deps), assistantEvaluationRoutes(deps)],
    ['/sessions', sessionRoutes(deps), recordingRoutes(deps), sessionEvaluationRoutes(deps)],
    ['/webhook-endpoints', webhookEndpointRoutes(deps)],
    ['/events', eventRoutes(deps)],
    ['/voices', voiceRoutes(deps)],
    ['/usage', usageRoutes(deps)],
    ['/billing', billingRoutes(deps)],
    ['/test-suites', testSuiteRoutes(deps), suiteRunRoutes(deps)],
    ['/test-runs', testRunRoutes(deps)],
  ];
  for (const [prefix, ...routers] of resources) v1.use(prefix, rememberMountPath, ...routers);
  app.use('/v1', v1);

  app.use(operationsRoutes(deps));
  app.use(docsRoutes());
  app.use(mediaRoutes(deps));

  if (deps.dashboard?.signInCodes) app.use(dashboardSignInRoutes(deps.db, deps.dashboard.signInCodes));
  if (deps.dashboard) app.use(dashboardStaticRoutes(deps.dashboard.distDir));

  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}

/** Counts in `windowS` windows, shared with every other api process through the database. */
function sharedCounts({ db, config, logger }: ApiDeps, prefix: string, windowS: number): SharedWindowStore {
  return new SharedWindowStore({
    knex: db.knex,
    prefix,
    windowMs: windowS * 1000,
    syncIntervalMs: config.rateLimit.syncMs,
    onSyncError: (error) => logger.warn('rate-limit counts not synced; deciding on local counts until the next sync', { prefix, error: String(error) }),
  });
}
