/**
 * Compile-time agreement between the api and `openapi/openapi.yaml`: the zod request schemas accept exactly the
 * bodies the contract documents (compared as their input types), and the public serialisers produce the documented
 * response types. `npx tsc --noEmit` fails on the line of the first disagreement. Runtime checks zod adds with
 * `refine` (regex validity, `endpointing_max_delay_ms >= endpointing_min_delay_ms`, …) have no type and are not compared.
 */
import type { z } from 'zod';
import type { components } from '../openapi/generated/schema.d.ts';
import type { createAssistantBody, modelConfig, toolConfig, transcriberConfig, turnConfig, updateAssistantBody, voiceConfig } from '../core/domain/assistant-config.ts';
import type { toPublicSession } from '../contract/session.ts';
import type { EventType } from '../core/webhooks/catalogue.ts';
import type { toPublicEvent } from '../contract/event.ts';
import type { analysisConfig } from '../core/evaluations/analysis-config.ts';
import type { toPublicEvaluation } from '../contract/evaluation.ts';
import type { EvaluationStatsBucket } from '../core/repositories/evaluation-stats.ts';
import type { toPublicApiKey } from './presenters/api-key.ts';
import type { toPublicAssistant } from '../contract/assistant.ts';
import type { toPublicMessage } from './presenters/message.ts';
import type { toPublicOrganization } from './presenters/organization.ts';
import type { toPublicProviderCredential } from './presenters/provider-credential.ts';
import type { toPublicWebhookDelivery } from './presenters/webhook-delivery.ts';
import type { toPublicWebhookEndpoint } from './presenters/webhook-endpoint.ts';
import type { createApiKeyBody } from './routes/api-keys.ts';
import type { redeliverBody } from './routes/events.ts';
import type { updateOrganizationBody } from './routes/organization.ts';
import type { toPublicRecording } from './routes/recording-urls.ts';
import type { putProviderCredentialBody } from './routes/provider-credentials.ts';
import type { createSessionBody } from './routes/sessions.ts';
import type { createWebhookEndpointBody, rotateWebhookSecretBody, updateWebhookEndpointBody } from './routes/webhook-endpoints.ts';
import type { toPublicTestRun } from '../contract/test-run.ts';
import type { toPublicScenario, toPublicTestSuite } from './presenters/test-suite.ts';
import type { createTestRunBody } from './routes/test-runs.ts';
import type { createTestSuiteBody, scenarioFromSessionBody, updateTestSuiteBody } from './routes/test-suites.ts';

type Schemas = components['schemas'];

/**
 * A tool's `parameters` is documented as a JSON Schema object with `"type": "object"`; zod checks that with a
 * refine, so its type is a plain record. Compare the contract with that one field widened the same way.
 */
type Widened<T> = T extends Schemas['JsonSchemaObject']
  ? Record<string, unknown>
  : T extends readonly (infer Item)[]
    ? Widened<Item>[]
    : T extends object
      ? { [K in keyof T]: Widened<T[K]> }
      : T;

/** Each side assignable to the other (so `?: T` and `?: T | undefined` count as the same). */
type Agree<A, B> = [A] extends [Widened<B>] ? ([Widened<B>] extends [A] ? true : false) : false;
/** One way only: every value the contract documents is a value of the implementation's (looser) type. */
type Fits<Contract, Impl> = [Widened<Contract>] extends [Impl] ? true : false;
type Expect<T extends true> = T;

type PublicSession = ReturnType<typeof toPublicSession>;
type PublicMessage = ReturnType<typeof toPublicMessage>;
type PublicWebhookEndpoint = ReturnType<typeof toPublicWebhookEndpoint>;
type PublicRecording = Awaited<ReturnType<typeof toPublicRecording>>;
type PublicWebhookDelivery = ReturnType<typeof toPublicWebhookDelivery>;

/** Request bodies: what zod accepts is what the contract documents. */
export type RequestBodiesAgree = [
  Expect<Agree<z.input<typeof createAssistantBody>, Schemas['CreateAssistantRequest']>>,
  Expect<Agree<z.input<typeof updateAssistantBody>, Schemas['UpdateAssistantRequest']>>,
  Expect<Agree<z.input<typeof modelConfig>, Schemas['ModelConfigInput']>>,
  Expect<Agree<z.input<typeof voiceConfig>, Schemas['VoiceConfigInput']>>,
  Expect<Agree<z.input<typeof transcriberConfig>, Schemas['TranscriberConfigInput']>>,
  Expect<Agree<z.input<typeof turnConfig>, Schemas['TurnConfigInput']>>,
  Expect<Agree<z.input<typeof toolConfig>, Schemas['ToolInput']>>,
  Expect<Agree<z.input<typeof createSessionBody>, Schemas['CreateSessionRequest']>>,
  Expect<Agree<z.input<typeof updateOrganizationBody>, Schemas['UpdateOrganizationRequest']>>,
  Expect<Agree<z.input<typeof putProviderCredentialBody>, Schemas['PutProviderCredentialRequest']>>,
  Expect<Agree<z.input<typeof createApiKeyBody>, Schemas['CreateApiKeyRequest']>>,
  // zod types event type selectors as strings and checks them with a refine; the contract lists them.
  Expect<Fits<Schemas['CreateWebhookEndpointRequest'], z.input<typeof createWebhookEndpointBody>>>,
  Expect<Fits<Schemas['UpdateWebhookEndpointRequest'], z.input<typeof updateWebhookEndpointBody>>>,
  Expect<Agree<z.input<typeof rotateWebhookSecretBody>, Schemas['RotateWebhookSecretRequest']>>,
  Expect<Agree<z.input<typeof redeliverBody>, Schemas['RedeliverEventRequest']>>,
  // zod reads a caller as one object whose fields say which kind it is; the contract has the two kinds.
  Expect<Fits<Schemas['CreateTestSuiteRequest'], z.input<typeof createTestSuiteBody>>>,
  Expect<Fits<Schemas['UpdateTestSuiteRequest'], z.input<typeof updateTestSuiteBody>>>,
  Expect<Agree<z.input<typeof scenarioFromSessionBody>, Schemas['ScenarioFromSessionRequest']>>,
  // The patch is checked in full as an assistant update once the assistant is known.
  Expect<Fits<Schemas['CreateTestRunRequest'], z.input<typeof createTestRunBody>>>,
];

/** Validated configuration is what responses show: zod's output types are the contract's response shapes. */
export type ConfigOutputsAgree = [
  Expect<Agree<z.output<typeof modelConfig>, Schemas['ModelConfig']>>,
  Expect<Agree<z.output<typeof voiceConfig>, Schemas['VoiceConfig']>>,
  Expect<Agree<z.output<typeof transcriberConfig>, Schemas['TranscriberConfig']>>,
  Expect<Agree<z.output<typeof turnConfig>, Schemas['TurnConfig']>>,
  Expect<Agree<z.output<typeof toolConfig>, Schemas['Tool']>>,
  Expect<Agree<z.output<typeof analysisConfig>, Schemas['AnalysisConfig']>>,
];

/** Response serialisers: JSON of what they return is the documented response (timestamps are ISO strings). */
export type ResponsesAgree = [
  Expect<Agree<ReturnType<typeof toPublicAssistant>, Schemas['Assistant']>>,
  Expect<Agree<Omit<PublicSession, 'recording'>, Omit<Schemas['Session'], 'websocket' | 'recording'>>>,
  // The row types `recording.status` as any string; the contract narrows it to the recording statuses.
  Expect<Fits<Schemas['Session']['recording'], PublicSession['recording']>>,
  Expect<Agree<ReturnType<typeof toPublicApiKey>, Omit<Schemas['ApiKey'], 'key'>>>,
  Expect<Agree<Omit<PublicMessage, 'tool_calls' | 'metrics'>, Omit<Schemas['Message'], 'tool_calls' | 'metrics'>>>,
  // The row types `tool_calls` as `unknown[]` and `metrics` as any record of numbers; the contract documents
  // each call's id, name and arguments, and the five per-turn latency fields.
  Expect<Fits<Schemas['Message']['tool_calls'], PublicMessage['tool_calls']>>,
  Expect<Fits<Schemas['Message']['metrics'], PublicMessage['metrics']>>,
  Expect<Agree<ReturnType<typeof toPublicOrganization>, Schemas['Organization']>>,
  Expect<Agree<ReturnType<typeof toPublicProviderCredential>, Schemas['ProviderCredential']>>,
  Expect<Agree<ReturnType<typeof toPublicEvent>, Schemas['Event']>>,
  Expect<Agree<Omit<PublicWebhookEndpoint, 'event_types'>, Omit<Schemas['WebhookEndpoint'], 'secret' | 'event_types'>>>,
  Expect<Agree<Omit<PublicWebhookDelivery, 'event_type'>, Omit<Schemas['WebhookDelivery'], 'event_type'>>>,
  // The serialiser returns one shape before the recording is ready and another after; the contract has one object
  // with nullable fields, so compare it with the two shapes merged field by field.
  Expect<Agree<Omit<PublicRecording, never>, Schemas['Recording']>>,
  Expect<Agree<ReturnType<typeof toPublicEvaluation>, Schemas['Evaluation']>>,
  Expect<Agree<EvaluationStatsBucket, Schemas['EvaluationStatsBucket']>>,
  Expect<Agree<ReturnType<typeof toPublicScenario>, Schemas['Scenario']>>,
  Expect<Agree<ReturnType<typeof toPublicTestSuite>, Schemas['TestSuite']>>,
  Expect<Agree<ReturnType<typeof toPublicTestRun>, Schemas['TestRun']>>,
  // The rows type event names as plain strings; the contract lists them.
  Expect<Fits<Schemas['WebhookEndpoint']['event_types'], PublicWebhookEndpoint['event_types']>>,
  Expect<Fits<Schemas['WebhookDelivery']['event_type'], PublicWebhookDelivery['event_type']>>,
];

/** The outbox's event catalogue is the contract's list of event types. */
export type EventTypesAgree = Expect<Agree<EventType, Schemas['EventType']>>;
