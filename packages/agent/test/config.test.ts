import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, type AgentFlags, loadAgentConfig } from '../src/index.js';

const V4 = 'http://169.254.170.2/v4/abc-123';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigError);
    return (error as AgentConfigError).problems;
  }
  throw new Error('expected an AgentConfigError');
}

describe('loadAgentConfig', () => {
  it('applies the contract defaults and resolves the v4 URL from ECS_CONTAINER_METADATA_URI_V4', () => {
    const config = loadAgentConfig({ env: { ECS_CONTAINER_METADATA_URI_V4: V4 } });
    expect(config).toEqual({
      metadata: { baseUrl: V4, version: 'v4', source: 'ECS_CONTAINER_METADATA_URI_V4' },
      listen: { host: '0.0.0.0', port: 9780 },
      interval: { mode: 'auto' },
      requestTimeoutMs: 2000,
      exporters: ['prometheus'],
      emf: { namespace: 'ECS/Taskscope', containerMetrics: false },
      prometheus: { taskLabels: false },
      logLevel: 'info',
      otelEnv: {},
    });
  });

  it('falls back to v3 and then to the fixed v2 address', () => {
    expect(
      loadAgentConfig({ env: { ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/x' } }).metadata,
    ).toEqual({
      baseUrl: 'http://169.254.170.2/v3/x',
      version: 'v3',
      source: 'ECS_CONTAINER_METADATA_URI',
    });
    expect(loadAgentConfig({ env: {} }).metadata).toEqual({
      baseUrl: 'http://169.254.170.2/v2',
      version: 'v2',
      source: 'default',
    });
  });

  it('reads TASKSCOPE_* and lets the flag win', () => {
    const config = loadAgentConfig({
      flags: { interval: '15s', listen: '[::]:9781' },
      env: {
        TASKSCOPE_INTERVAL: '1m',
        TASKSCOPE_METADATA_URL: 'http://127.0.0.1:8080/v4/x/',
        TASKSCOPE_EXPORTERS: 'emf, PROMETHEUS,emf',
        TASKSCOPE_EMF_CONTAINER_METRICS: 'yes',
        TASKSCOPE_TASK_LABELS: '1',
        TASKSCOPE_AUTH_TOKEN: 's3cr3t-token',
        TASKSCOPE_LOG_LEVEL: 'DEBUG',
        TASKSCOPE_REQUEST_TIMEOUT: '750ms',
        TASKSCOPE_EMF_NAMESPACE: 'Team/Web',
      },
    });
    expect(config).toMatchObject({
      metadata: { baseUrl: 'http://127.0.0.1:8080/v4/x', version: 'v4', source: 'TASKSCOPE_METADATA_URL' },
      listen: { host: '::', port: 9781 },
      interval: { mode: 'fixed', intervalMs: 15_000 },
      exporters: ['emf', 'prometheus'],
      emf: { namespace: 'Team/Web', containerMetrics: true },
      prometheus: { taskLabels: true },
      authToken: 's3cr3t-token',
      logLevel: 'debug',
      requestTimeoutMs: 750,
    });
  });

  it('is deep-frozen', () => {
    const config = loadAgentConfig({ env: {}, flags: { exporters: 'prometheus,otlp' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(Object.isFrozen(config.exporters)).toBe(true);
    expect(() => (config.exporters as string[]).push('emf')).toThrow(TypeError);
  });

  it('reports every problem at once, naming the flag or variable, the value and what is allowed', () => {
    const problems = problemsOf(() =>
      loadAgentConfig({
        flags: {
          interval: '50ms',
          exporters: 'prometheus,statsd',
          listen: 'localhost',
          emfContainerMetrics: 'maybe',
        },
        env: {
          TASKSCOPE_LOG_LEVEL: 'verbose',
          TASKSCOPE_EMF_NAMESPACE: 'AWS/ECS',
          TASKSCOPE_REQUEST_TIMEOUT: 'soon',
          TASKSCOPE_AUTH_TOKEN: 'has space',
          TASKSCOPE_METADATA_URL: 'ftp://x/v4',
        },
      }),
    );
    expect(problems).toEqual([
      'TASKSCOPE_METADATA_URL "ftp://x/v4": expected an http:// or https:// URL such as http://169.254.170.2/v4/<container-id>',
      '--listen "localhost": expected HOST:PORT such as 0.0.0.0:9780 or [::]:9780, port 0 to 65535',
      '--interval "50ms": expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m',
      '--exporters "prometheus,statsd": "statsd" is not an exporter; expected a comma list of prometheus, otlp, emf',
      'TASKSCOPE_EMF_NAMESPACE "AWS/ECS": expected 1 to 255 characters from A-Z a-z 0-9 . - _ / # : and space, not starting with AWS/ (reserved)',
      '--emf-container-metrics "maybe": expected true or false (also 1/0, yes/no, on/off)',
      // The token itself is never echoed.
      'TASKSCOPE_AUTH_TOKEN "…": expected a non-empty token of A-Z a-z 0-9 - . _ ~ + / (optionally ending in =)',
      'TASKSCOPE_LOG_LEVEL "verbose": expected one of fatal, error, warn, info, debug, trace, silent',
      'TASKSCOPE_REQUEST_TIMEOUT "soon": expected a duration from 100ms to 60s, such as 500ms or 2s',
    ]);
  });

  it('puts every problem in the one error message', () => {
    expect(() => loadAgentConfig({ flags: { interval: 'often', exporters: '' }, env: {} })).toThrow(
      'invalid agent configuration (2 problems):\n  --interval "often": expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m\n  --exporters "": expected a comma list of prometheus, otlp, emf',
    );
  });

  it('reports a bad ECS_CONTAINER_METADATA_URI_V4 through the client resolver', () => {
    expect(
      problemsOf(() => loadAgentConfig({ env: { ECS_CONTAINER_METADATA_URI_V4: 'not a url' } })),
    ).toEqual([
      'ECS_CONTAINER_METADATA_URI_V4 is "not a url": not a URL; expected an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id>',
    ]);
  });

  it('validates each OTEL_* variable the OTLP exporter reads, only when otlp is enabled', () => {
    const env = {
      OTEL_METRIC_EXPORT_INTERVAL: 'often',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes',
    };
    expect(loadAgentConfig({ env }).otelEnv).toEqual(env);
    const problems = problemsOf(() => loadAgentConfig({ flags: { exporters: 'otlp' }, env }));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('OTEL_METRIC_EXPORT_INTERVAL');
    expect(problems[0]).toContain('"often"');
    expect(problems[1]).toContain('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(problems[1]).toContain('http/protobuf');
    expect(problems[2]).toContain('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  });

  it('checks rules that span two OTEL_* variables', () => {
    const problems = problemsOf(() =>
      loadAgentConfig({
        flags: { exporters: 'otlp' },
        env: { OTEL_METRIC_EXPORT_INTERVAL: '5000', OTEL_METRIC_EXPORT_TIMEOUT: '9000' },
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('OTEL_METRIC_EXPORT_TIMEOUT');
  });

  it('names the type when a JS caller passes a flag that is not text', () => {
    const flags = { interval: 5, taskLabels: 1, listen: null } as unknown as AgentFlags;
    expect(problemsOf(() => loadAgentConfig({ flags, env: {} }))).toEqual([
      '--listen null (null): expected a string',
      '--interval 5 (number): expected a string',
      '--task-labels 1 (number): expected a boolean or a string',
    ]);
  });

  it('never echoes an OTLP header value, even when the list is malformed', () => {
    const problems = problemsOf(() =>
      loadAgentConfig({
        flags: { exporters: 'otlp' },
        env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-value,s3cr3t-bare' },
      }),
    );
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value pairs (got "x-api-key=…,…")',
    ]);
  });

  it('rejects ports above 65535 and durations outside their range', () => {
    expect(
      problemsOf(() =>
        loadAgentConfig({
          flags: { listen: '127.0.0.1:65536', requestTimeout: '61s', interval: '2h' },
          env: {},
        }),
      ),
    ).toEqual([
      '--listen "127.0.0.1:65536": expected HOST:PORT such as 0.0.0.0:9780 or [::]:9780, port 0 to 65535',
      '--interval "2h": expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m',
      '--request-timeout "61s": expected a duration from 100ms to 60s, such as 500ms or 2s',
    ]);
  });

  it('reads every switch word in any case and padding, from the flag or the variable', () => {
    const word = fc.constantFrom('true', '1', 'yes', 'on', 'false', '0', 'no', 'off');
    const casing = fc.constantFrom(
      (w: string) => w,
      (w: string) => w.toUpperCase(),
      (w: string) => ` ${w[0]!.toUpperCase()}${w.slice(1)}\t`,
    );
    fc.assert(
      fc.property(word, casing, fc.boolean(), (w, cased, asFlag) => {
        const text = cased(w);
        const config = asFlag
          ? loadAgentConfig({ flags: { taskLabels: text }, env: {} })
          : loadAgentConfig({ env: { TASKSCOPE_TASK_LABELS: text } });
        expect(config.prometheus.taskLabels).toBe(['true', '1', 'yes', 'on'].includes(w));
      }),
    );
  });

  it('turns every duration in range into the same milliseconds, whatever the unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 60_000 }), (ms) => {
        const variants = [`${ms}ms`, `${ms / 1000}s`];
        if (ms % 60_000 === 0) variants.push(`${ms / 60_000}m`);
        for (const text of variants) {
          expect(loadAgentConfig({ flags: { requestTimeout: text }, env: {} }).requestTimeoutMs).toBe(ms);
        }
      }),
    );
  });
});
