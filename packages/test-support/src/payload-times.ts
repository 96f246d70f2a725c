/**
 * Text that is no payload time (RFC 3339 as the endpoint writes `read`, `StartedAt`…): what
 * wire's `parsePayloadTime`, the definition, and core's fast path must both refuse.
 */
export const MALFORMED_PAYLOAD_TIMES: readonly string[] = [
  // Not a date-time, or only part of one.
  '',
  'garbage',
  'yesterday',
  '2025-02-27',
  '2025-02-27T05:22:49',
  ' 2025-02-27T05:22:49Z',
  // Separators other than RFC 3339's.
  '2025-02-27 05:22:49Z',
  '2025/02/27T05:22:49Z',
  '2025-02/27T05:22:49Z',
  '2025-02-27T05-22:49Z',
  '2025-02-27T05:22-49Z',
  '2025-02-27T05:22:49,1Z',
  '2025-02-27T05:22:4x.1Z',
  // A fraction with no digits, or more than nine.
  '2025-02-27T05:22:49.Z',
  '2025-02-27T05:22:49.1234567890Z',
  '2025-01-01T00:00:00.1234567890Z',
  // Days a month does not have.
  '2025-02-29T00:00:00Z',
  '2100-02-29T00:00:00Z',
  '2025-02-30T05:22:49Z',
  '2025-04-31T00:00:00Z',
  '2025-01-00T00:00:00Z',
  // Fields out of range.
  '2025-00-10T00:00:00Z',
  '2025-13-01T05:22:49Z',
  '2025-13-10T00:00:00Z',
  '2025-02-27T24:00:00Z',
  '2025-01-01T24:00:00Z',
  '2025-02-27T05:60:00Z',
  '2025-01-01T00:60:00Z',
  '2025-02-27T05:22:60Z',
  '2025-01-01T00:00:60Z',
  // Offsets out of range or without their colon.
  '2025-02-27T05:22:49+24:00',
  '2025-02-27T05:22:49+02:60',
  '2025-02-27T05:22:49+0200',
];
