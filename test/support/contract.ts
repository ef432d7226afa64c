import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks real HTTP responses against `openapi/openapi.yaml`: the status must be documented for the operation the
 * concrete URL resolves to, required headers must be present, and a JSON body must validate against the documented
 * schema. A disagreement throws a `ContractViolation` that says what the contract expected and what came back.
 */

const SPEC_URL = new URL('../../openapi/openapi.yaml', import.meta.url);
const SPEC_ID = 'https://echosphere.invalid/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, any>;

export interface SpecOperation {
  method: string;
  template: string;
  operationId: string;
  /** Path and operation parameters, operation level winning. */
  parameters: Json[];
  /** `security: []` means no key is needed. */
  security: Json[] | undefined;
  operation: Json;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** The contract documents the operation but the server has no such route (it answered `route_not_found`). */
export class RouteNotImplemented extends ContractViolation {
  override name = 'RouteNotImplemented';
  constructor(readonly operation: string) {
    super(`${operation} is documented in openapi.yaml but the server has no such route`);
  }
}

// ajv-formats is CommonJS with a default export; under ESM interop it arrives either way.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

class Contract {
  readonly spec: Json;
  readonly operations: SpecOperation[];
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly matchers: { regex: RegExp; template: string }[];

  constructor(spec: Json) {
    this.spec = spec;
    // strict: false — OpenAPI adds keywords JSON Schema does not know (example, xml, …). With `discriminator`,
    // a oneOf reports the errors of the branch the discriminator picks instead of every branch's.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...withoutDiscriminatorMappings(spec), $id: SPEC_ID });
    this.operations = Object.entries(spec.paths as Json).flatMap(([template, item]) =>
      HTTP_METHODS.filter((method) => item[method]).map((method) => ({
        method: method.toUpperCase(),
        template,
        operationId: item[method].operationId as string,
        parameters: mergeParameters(this.deref(item.parameters ?? []), this.deref(item[method].parameters ?? [])),
        security: item[method].security ?? spec.security,
        operation: item[method],
      })),
    );
    // Literal segments beat parameters: sort templates with fewer parameters first.
    this.matchers = Object.keys(spec.paths)
      .sort((a, b) => countParams(a) - countParams(b))
      .map((template) => ({ template, regex: templateRegex(template) }));
  }

  /** Resolves local `$ref`s to components (responses, parameters, headers) — schemas are left to Ajv. */
  deref<T>(value: T): T {
    if (Array.isArray(value)) return value.map((item) => this.deref(item)) as T;
    const ref = (value as Json | undefined)?.$ref;
    if (typeof ref === 'string') return this.deref(this.pointer(ref)) as T;
    return value;
  }

  pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) throw new Error(`Only local references are supported: ${ref}`);
    return ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<any>((node, key) => node?.[key], this.spec);
  }

  matchPath(pathname: string): string | undefined {
    return this.matchers.find(({ regex }) => regex.test(pathname))?.template;
  }

  findOperation(method: string, pathname: string): SpecOperation | undefined {
    const template = this.matchPath(pathname);
    return this.operations.find((op) => op.template === template && op.method === method.toUpperCase());
  }

  /** A validator for the schema at a JSON pointer (`/components/…`) of the spec, compiled once. */
  validatorAt(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** The schema pointer of a named component schema, e.g. `Assistant`. */
  schemaPointer(name: string): string {
    if (!this.spec.components.schemas[name]) throw new Error(`No schema ${name} in the contract`);
    return `/components/schemas/${escapePointer(name)}`;
  }
}

let loaded: Contract | undefined;

/** The parsed contract, loaded once per process. */
export function contract(): Contract {
  loaded ??= new Contract(parse(readFileSync(SPEC_URL, 'utf8')) as Json);
  return loaded;
}

export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  body: unknown;
  headers?: Headers | Record<string, string | undefined>;
}

/**
 * Throws unless the response is what the contract documents for `method url` and `status`.
 * `body` is the parsed JSON (or the text for non-JSON responses).
 */
export function assertMatchesContract(method: string, url: string, status: number, body: unknown, headers?: ObservedResponse['headers']): void {
  const c = contract();
  const pathname = new URL(url, 'http://contract.invalid').pathname;
  const where = `${method.toUpperCase()} ${pathname} → ${status}`;
  const template = c.matchPath(pathname);
  if (!template) throw new ContractViolation(`${where}: the path is not in openapi.yaml.`);
  const operation = c.findOperation(method, pathname);
  if (!operation) throw new ContractViolation(`${where}: openapi.yaml has no ${method.toUpperCase()} operation on ${template}.`);

  const responses = operation.operation.responses as Json;
  const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((key) => responses[key]);
  if (!statusKey) {
    throw new ContractViolation(
      `${where}: status ${status} is not documented for ${operation.operationId} (documented: ${Object.keys(responses).join(', ')}).\n` +
        `Body: ${preview(body)}`,
    );
  }
  const responseRef = responses[statusKey].$ref as string | undefined;
  const responsePointer = responseRef
    ? responseRef.slice(1)
    : `/paths/${escapePointer(operation.template)}/${operation.method.toLowerCase()}/responses/${escapePointer(statusKey)}`;
  const response = c.deref(responses[statusKey]) as Json;

  const problems: string[] = [];
  for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
    const spec = c.deref(header) as Json;
    const value = readHeader(headers, name);
    if (value === undefined) {
      if (spec.required && headers) problems.push(`header ${name} is required but missing`);
      continue;
    }
    if (spec.schema?.type === 'integer' && !/^\d+$/.test(value)) problems.push(`header ${name} should be an integer, got "${value}"`);
  }

  const content = response.content as Json | undefined;
  const contentType = readHeader(headers, 'content-type')?.split(';')[0]?.trim();
  if (!content) {
    if (body !== undefined && body !== '' && body !== null) problems.push(`no body is documented, got ${preview(body)}`);
  } else {
    const mediaTypes = Object.keys(content);
    if (contentType && !mediaTypes.includes(contentType)) problems.push(`content-type ${contentType} is not documented (documented: ${mediaTypes.join(', ')})`);
    const mediaType = contentType && mediaTypes.includes(contentType) ? contentType : mediaTypes[0]!;
    if (mediaType === 'application/json' && content[mediaType].schema) {
      const validate = c.validatorAt(`${responsePointer}/content/${escapePointer(mediaType)}/schema`);
      if (!validate(body)) problems.push(...describeErrors(validate.errors ?? [], body));
    }
  }
  if (problems.length > 0) {
    throw new ContractViolation(
      `${where} does not match ${operation.operationId} in openapi.yaml:\n` + problems.map((p) => `  - ${p}`).join('\n') + `\nBody: ${preview(body)}`,
    );
  }
}

/** Validates a value against a named component schema (webhook payloads, fixtures); throws a ContractViolation. */
export function assertMatchesSchema(schemaName: string, value: unknown): void {
  const validate = contract().validatorAt(contract().schemaPointer(schemaName));
  if (!validate(value)) {
    throw new ContractViolation(`Value does not match ${schemaName}:\n` + describeErrors(validate.errors ?? [], value).map((p) => `  - ${p}`).join('\n'));
  }
}

export interface ContractResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

interface RequestOptions {
  /** Sent as JSON (with `Content-Type: application/json`). */
  body?: unknown;
  /** Sent as is, for malformed or oversized bodies; set `content-type` in `headers` yourself. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Overrides the client's key for this request; `null` sends no Authorization header. */
  key?: string | null;
}

export interface ContractClient {
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ContractResult<T>>;
  get<T = any>(path: string, options?: RequestOptions): Promise<ContractResult<T>>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ContractResult<T>>;
  put<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ContractResult<T>>;
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ContractResult<T>>;
  delete<T = any>(path: string, options?: RequestOptions): Promise<ContractResult<T>>;
}

/** A fetch wrapper for tests: every response it returns has been checked against the contract. */
export function contractFetch(baseUrl: string, key?: string | null): ContractClient {
  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ContractResult<T>> {
    const headers: Record<string, string> = {};
    const bearer = options.key === undefined ? key : options.key;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let requestBody: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) requestBody = options.rawBody;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      requestBody = JSON.stringify(options.body);
    }
    Object.assign(headers, options.headers);
    const response = await fetch(new URL(path, baseUrl), { method, headers, body: requestBody as BodyInit | undefined });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    let body: unknown = text;
    if (isJson && text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ContractViolation(`${method} ${path} → ${response.status}: content-type says JSON but the body is not: ${text.slice(0, 200)}`);
      }
    }
    if (response.status === 404 && (body as { error?: { code?: string } })?.error?.code === 'route_not_found') {
      const operation = contract().findOperation(method, new URL(path, baseUrl).pathname);
      if (operation) throw new RouteNotImplemented(`${operation.method} ${operation.template}`);
    }
    assertMatchesContract(method, path, response.status, body, response.headers);
    return { status: response.status, headers: response.headers, body: body as T, text };
  }
  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    put: (path, body, options) => request('PUT', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
  };
}

/** Ajv's discriminator resolves branches by their `const` and refuses `mapping`, which only helps code generators. */
function withoutDiscriminatorMappings(node: unknown): any {
  if (Array.isArray(node)) return node.map(withoutDiscriminatorMappings);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'discriminator' && value && typeof value === 'object' && 'propertyName' in value) return [key, { propertyName: value.propertyName }];
      return [key, withoutDiscriminatorMappings(value)];
    }),
  );
}

function mergeParameters(pathLevel: Json[], operationLevel: Json[]): Json[] {
  const key = (p: Json) => `${p.in}:${p.name}`;
  const overridden = new Set(operationLevel.map(key));
  return [...pathLevel.filter((p) => !overridden.has(key(p))), ...operationLevel];
}

function countParams(template: string): number {
  return (template.match(/\{[^}]+\}/g) ?? []).length;
}

function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function readHeader(headers: ObservedResponse['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found?.[1];
}

/** Ajv errors as "at /path: message (got …)"; for oneOf failures the branch errors are kept, they say what differs. */
function describeErrors(errors: ErrorObject[], body: unknown): string[] {
  const lines = errors.map((error) => {
    const at = error.instancePath || '(root)';
    const actual = valueAt(body, error.instancePath);
    let detail = error.message ?? error.keyword;
    if (error.keyword === 'additionalProperties') detail = `has undocumented property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    if (error.keyword === 'required') detail = `is missing required property "${(error.params as { missingProperty: string }).missingProperty}"`;
    if (error.keyword === 'const') detail = `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    if (error.keyword === 'enum') detail = `must be one of ${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)}`;
    const got = ['required', 'additionalProperties'].includes(error.keyword) ? '' : ` (got ${preview(actual, 120)})`;
    return `at ${at}: ${detail}${got}  [schema ${error.schemaPath}]`;
  });
  return [...new Set(lines)];
}

function valueAt(value: unknown, instancePath: string): unknown {
  if (!instancePath) return value;
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<any>((node, key) => node?.[key], value);
}

function preview(value: unknown, max = 600): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 0);
  if (text === undefined) return String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
