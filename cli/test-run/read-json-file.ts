import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../cli-error.ts';

/** A JSON file named by a command-line flag; a missing or malformed file is an operator's mistake, said in one line. */
export function readJsonFile(file: string, flag: string): unknown {
  if (!existsSync(file)) throw new CliError(`${flag}: no such file: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${flag}: ${file} is not JSON (${(error as Error).message})`);
  }
}
