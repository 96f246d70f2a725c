import { InputError, type Problem } from '@taskscope/input';

/**
 * Every code this package raises. Stable: branch on `code`, never on the message. The repository
 * README's error table is checked against it by a test.
 */
export const FARGATE_ERROR_CODES = ['FARGATE_PRICES'] as const;

/** A stable machine code of this package. */
export type FargateErrorCode = (typeof FARGATE_ERROR_CODES)[number];

/**
 * A price table (`--prices FILE`) that cannot be used: every problem found, each naming the
 * field, the value and what is allowed. Origin `input`: exit code 2.
 */
export class PriceTableError extends InputError<FargateErrorCode> {
  override readonly name = 'PriceTableError';
  constructor(source: string, problems: readonly Problem[]) {
    super('FARGATE_PRICES', source, problems);
  }
}
