/** A configured provider that could not be built or failed at runtime; ends the session as `provider-error:<provider>`. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }
}
