/** A problem with what the operator asked for: printed without a stack trace, exit code 2. */
export class CliError extends Error {}
