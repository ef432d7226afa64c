import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';

/** Reading docker/compose.yaml as Docker Compose does, for tests on a machine without a Docker engine. */

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DOCKER_DIR = path.join(REPO_ROOT, 'docker');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** The file as written: YAML anchors and merge keys (`<<`) resolved, `${…}` left alone. */
export function readComposeFile(): ComposeFile {
  return parse(readFileSync(path.join(DOCKER_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** docker/.env.example, parsed as Compose reads an env file. */
export function readEnvExample(): Record<string, string> {
  return parseEnv(readFileSync(path.join(DOCKER_DIR, '.env.example'), 'utf8')) as Record<string, string>;
}

export class InterpolationError extends Error {}

/**
 * Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$$`) applied to every string of `value`. A missing required variable throws with Compose's message.
 */
export function interpolate<T>(value: T, variables: Record<string, string | undefined>): T {
  if (typeof value === 'string') return substitute(value, variables) as T;
  if (Array.isArray(value)) return value.map((item) => interpolate(item, variables)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, variables)])) as T;
  }
  return value;
}

const EXPRESSION = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function substitute(text: string, variables: Record<string, string | undefined>): string {
  if (text.replace(EXPRESSION, '').includes('${')) throw new InterpolationError(`unsupported interpolation in "${text}"`);
  return text.replace(EXPRESSION, (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = variables[name];
    const unset = operator?.startsWith(':') ? !value : value === undefined;
    if (!operator || !unset) return value ?? '';
    if (operator.endsWith('-')) return argument ?? '';
    throw new InterpolationError(`required variable ${name} is missing a value: ${argument}`);
  });
}

/**
 * The services that run the EchoSphere command line: built from docker/Dockerfile and started through its entrypoint
 * (`echosphere <command>`), as opposed to a service that runs another program of the image.
 */
export function echoSphereServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, service]) => service.build?.dockerfile === 'docker/Dockerfile' && !service.entrypoint);
}
