/**
 * Every code the exporters raise (`OtlpConfigError`, `EmfConfigError`). Stable: branch on
 * `code`, never on the message. The repository README's error table is checked against it.
 */
export const EXPORTERS_ERROR_CODES = ['OTLP_CONFIG', 'EMF_CONFIG'] as const;

/** A stable machine code of the exporters. */
export type ExportersErrorCode = (typeof EXPORTERS_ERROR_CODES)[number];
