/**
 * What `call` throws, for a test to assert on. A call that returns instead fails here, with a
 * message that says so, rather than leaving the test to assert on `undefined`.
 */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw; it returned');
}
