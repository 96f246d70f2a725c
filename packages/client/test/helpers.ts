import { expect } from 'vitest';
import { MetadataClientError } from '../src/index.js';

/** What `promise` rejects with, asserted to be a {@link MetadataClientError} (a resolve fails the test). */
export async function rejectionOf(promise: Promise<unknown>): Promise<MetadataClientError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MetadataClientError);
  return error as MetadataClientError;
}
