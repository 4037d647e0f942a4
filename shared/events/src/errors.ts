export type ContractErrorCode = 'unknown_type' | 'invalid_data';

/** A message that breaks the contract was about to be created: a bug in the caller. */
export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}
