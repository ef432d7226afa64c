import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { DOCKER_DIR } from './compose-file.ts';

/** docker/Dockerfile as Docker's own grammar reads it (the parser behind the Dockerfile language server). */
export function readDockerfile(): Dockerfile {
  return DockerfileParser.parse(readFileSync(path.join(DOCKER_DIR, 'Dockerfile'), 'utf8'));
}

/** The ARGs declared before the first FROM, with their defaults. */
export function initialArgs(dockerfile: Dockerfile): Record<string, string> {
  return Object.fromEntries(dockerfile.getInitialARGs().map((arg) => [arg.getProperty()!.getName(), arg.getProperty()!.getValue() ?? '']));
}

/** Each stage's instructions, FROM first, in file order. */
export function stages(dockerfile: Dockerfile): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

/** The environment the final image sets (its ENV instructions). */
export function dockerfileEnvironment(dockerfile: Dockerfile): Record<string, string> {
  const finalStage = stages(dockerfile).at(-1)!;
  return Object.fromEntries(
    dockerfile
      .getENVs()
      .filter((env) => finalStage.includes(env))
      .flatMap((env) => env.getProperties().map((property) => [property.getName(), property.getValue() ?? ''])),
  );
}

/** An exec-form instruction's words (`CMD ["a", "b"]`), after any flags (`HEALTHCHECK --interval=… CMD [...]`). */
export function execForm(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  const json = content.slice(content.indexOf('['));
  return JSON.parse(json) as string[];
}
