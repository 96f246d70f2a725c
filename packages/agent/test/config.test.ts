import { parsePriceTable } from '@taskscope/fargate';
import { formatProblem, InputError } from '@taskscope/input';
import { TEST_PRICE_TABLE, thrownBy } from '@taskscope/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, type AgentFlags, MAX_HISTORY_MS, readAgentConfig } from '../src/index.js';

const V4 = 'http://169.254.170.2/v4/abc-123';

/** Each problem in the one message shape: `--interval is "5ms" (string); expected …`. */
function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigError);
    return (error as AgentConfigError).problems.map(formatProblem);
  }
  throw new Error('expected an AgentConfigError');
}

describe('readAgentConfig', () => {
  it('applies the contract defaults and resolves the v4 URL from ECS_CONTAINER_METADATA_URI_V4', () => {
    const config = readAgentConfig({ env: { ECS_CONTAINER_METADATA_URI_V4: V4 } });
    expect(config).toEqual({
      metadata: { baseUrl: V4, version: 'v4', source: 'ECS_CONTAINER_METADATA_URI_V4' },
      listen: { host: '0.0.0.0', port: 9780, setting: '--listen' },
      interval: { mode: 'auto' },
      requestTimeoutMs: 2000,
      historyMs: 15 * 60_000,
      exporters: ['prometheus'],
      emf: { namespace: 'ECS/Taskscope', containerMetrics: false },
      prometheus: { taskLabels: false },
      logLevel: 'info',
      otelEnv: {},
    });
  });

  it('falls back to v3 and then to the fixed v2 address', () => {
    expect(
      readAgentConfig({ env: { ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/x' } }).metadata,
    ).toEqual({
      baseUrl: 'http://169.254.170.2/v3/x',
      version: 'v3',
      source: 'ECS_CONTAINER_METADATA_URI',
    });
    expect(readAgentConfig({ env: {} }).metadata).toEqual({
      baseUrl: 'http://169.254.170.2/v2',
      version: 'v2',
      source: 'default',
    });
  });

  it('remembers which setting gave the listen address, for a listen failure to name it', () => {
    const env = { ECS_CONTAINER_METADATA_URI_V4: V4, TASKSCOPE_LISTEN: '127.0.0.1:9000' };
    expect(readAgentConfig({ env }).listen).toEqual({
      host: '127.0.0.1',
      port: 9000,
      setting: 'TASKSCOPE_LISTEN',
    });
    expect(readAgentConfig({ env, flags: { listen: '127.0.0.1:9001' } }).listen.setting).toBe('--listen');
  });

  it('reads TASKSCOPE_* and lets the flag win', () => {
    const config = readAgentConfig({
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
      listen: { host: '::', port: 9781, setting: '--listen' },
      interval: { mode: 'fixed', intervalMs: 15_000 },
      exporters: ['emf', 'prometheus'],
      emf: { namespace: 'Team/Web', containerMetrics: true },
      prometheus: { taskLabels: true },
      authToken: 's3cr3t-token',
      logLevel: 'debug',
      requestTimeoutMs: 750,
    });
  });

  it('reads --history as a duration, 0 (or a zero duration) for off, and TASKSCOPE_HISTORY under the flag', () => {
    const historyOf = (flags: AgentFlags, env: Record<string, string> = {}) =>
      readAgentConfig({ flags, env }).historyMs;
    expect(historyOf({ history: '1h' })).toBe(3_600_000);
    expect(historyOf({ history: '90s' })).toBe(90_000);
    expect(historyOf({ history: '0' })).toBe(0);
    expect(historyOf({ history: '0s' })).toBe(0);
    expect(historyOf({}, { TASKSCOPE_HISTORY: '5m' })).toBe(300_000);
    expect(historyOf({ history: '30m' }, { TASKSCOPE_HISTORY: '5m' })).toBe(1_800_000);
    expect(historyOf({ history: '6h' })).toBe(MAX_HISTORY_MS);
  });

  it.each([
    ['--history', '7h'],
    ['--history', '5s'],
    ['--history', 'forever'],
    ['--history', '-1m'],
    ['TASKSCOPE_HISTORY', '15'],
  ])('refuses %s %s, naming it, the value and what is allowed', (field, value) => {
    const flags = field === '--history' ? { history: value } : {};
    const env = field === 'TASKSCOPE_HISTORY' ? { TASKSCOPE_HISTORY: value } : {};
    expect(problemsOf(() => readAgentConfig({ flags, env }))).toEqual([
      `${field} is "${value}" (string); expected 0 (off) or a duration from 10s to 6h, such as 5m, 15m or 1h`,
    ]);
  });

  it('is deep-frozen', () => {
    const config = readAgentConfig({ env: {}, flags: { exporters: 'prometheus,otlp' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(Object.isFrozen(config.exporters)).toBe(true);
    expect(() => (config.exporters as string[]).push('emf')).toThrow(TypeError);
  });

  it('reports every problem at once, naming the flag or variable, the value and what is allowed', () => {
    const problems = problemsOf(() =>
      readAgentConfig({
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
      'TASKSCOPE_METADATA_URL is "ftp://x/v4" (string); expected an http:// or https:// URL such as http://169.254.170.2/v4/<container-id>',
      '--listen is "localhost" (string); expected HOST:PORT such as 127.0.0.1:9780 or [::]:9780, port 0 to 65535',
      '--interval is "50ms" (string); expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m',
      '--exporters is "prometheus,statsd" (string); expected a comma list of prometheus, otlp, emf ("statsd" is not one)',
      'TASKSCOPE_EMF_NAMESPACE is "AWS/ECS" (string); expected 1 to 255 characters from A-Z a-z 0-9 . - _ / # : and space, not starting with AWS/ (reserved)',
      '--emf-container-metrics is "maybe" (string); expected true or false (also 1/0, yes/no, on/off)',
      // The token itself is never echoed.
      'TASKSCOPE_AUTH_TOKEN is "…" (string); expected a non-empty token of A-Z a-z 0-9 - . _ ~ + / (optionally ending in =)',
      'TASKSCOPE_LOG_LEVEL is "verbose" (string); expected one of fatal, error, warn, info, debug, trace, silent',
      'TASKSCOPE_REQUEST_TIMEOUT is "soon" (string); expected a duration from 100ms to 1m, such as 500ms, 10s or 1m',
    ]);
  });

  it('is an InputError coded AGENT_CONFIG whose problems name the flag or variable, the value and what is allowed', () => {
    const caught = thrownBy(() =>
      readAgentConfig({ flags: { interval: '5ms' }, env: { TASKSCOPE_LISTEN: 'nowhere' } }),
    );
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as AgentConfigError;
    expect([error.code, error.origin, error.exitCode, error.source]).toEqual([
      'AGENT_CONFIG',
      'input',
      2,
      'invalid agent configuration',
    ]);
    expect(error.problems).toEqual([
      {
        field: 'TASKSCOPE_LISTEN',
        value: 'nowhere',
        allowed: 'HOST:PORT such as 127.0.0.1:9780 or [::]:9780, port 0 to 65535',
      },
      {
        field: '--interval',
        value: '5ms',
        allowed: 'auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m',
      },
    ]);
  });

  it('names TASKSCOPE_METADATA_URL, not the flag, when the variable supplied a URL the resolver refuses', () => {
    expect(problemsOf(() => readAgentConfig({ env: { TASKSCOPE_METADATA_URL: 'http://x/v4?q=1' } }))).toEqual(
      [
        'TASKSCOPE_METADATA_URL is "http://x/v4?q=1" (string); expected an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id>, without a query or fragment',
      ],
    );
  });

  it('puts every problem in the one error message', () => {
    expect(() => readAgentConfig({ flags: { interval: 'often', exporters: '' }, env: {} })).toThrow(
      'invalid agent configuration (2 problems):\n  --interval is "often" (string); expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m\n  --exporters is "" (string); expected a comma list of prometheus, otlp, emf',
    );
  });

  it('reports a bad ECS_CONTAINER_METADATA_URI_V4 through the client resolver', () => {
    expect(
      problemsOf(() => readAgentConfig({ env: { ECS_CONTAINER_METADATA_URI_V4: 'not a url' } })),
    ).toEqual([
      'ECS_CONTAINER_METADATA_URI_V4 is "not a url" (string); expected an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id>',
    ]);
  });

  it('validates each OTEL_* variable the OTLP exporter reads, only when otlp is enabled', () => {
    const env = {
      OTEL_METRIC_EXPORT_INTERVAL: 'often',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes',
    };
    expect(readAgentConfig({ env }).otelEnv).toEqual(env);
    const problems = problemsOf(() => readAgentConfig({ flags: { exporters: 'otlp' }, env }));
    // In the order the OTLP reader reads them: protocol, temporality, then the interval.
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(problems[0]).toContain('http/protobuf');
    expect(problems[1]).toContain('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
    expect(problems[2]).toContain('OTEL_METRIC_EXPORT_INTERVAL');
    expect(problems[2]).toContain('"often"');
  });

  it('checks rules that span two OTEL_* variables', () => {
    const problems = problemsOf(() =>
      readAgentConfig({
        flags: { exporters: 'otlp' },
        env: { OTEL_METRIC_EXPORT_INTERVAL: '5000', OTEL_METRIC_EXPORT_TIMEOUT: '9000' },
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('OTEL_METRIC_EXPORT_TIMEOUT');
  });

  it('names the type when a JS caller passes a flag that is not text', () => {
    const flags = { interval: 5, taskLabels: 1, listen: null } as unknown as AgentFlags;
    expect(problemsOf(() => readAgentConfig({ flags, env: {} }))).toEqual([
      '--listen is null (null); expected a string',
      '--interval is 5 (number); expected a string',
      '--task-labels is 1 (number); expected a boolean or a string',
    ]);
  });

  it('never echoes an OTLP header value, even when the list is malformed', () => {
    const problems = problemsOf(() =>
      readAgentConfig({
        flags: { exporters: 'otlp' },
        env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-value,s3cr3t-bare' },
      }),
    );
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS is "x-api-key=…,…" (string); expected a comma-separated list of key=value pairs',
    ]);
  });

  it('rejects ports above 65535 and durations outside their range', () => {
    expect(
      problemsOf(() =>
        readAgentConfig({
          flags: { listen: '127.0.0.1:65536', requestTimeout: '61s', interval: '2h' },
          env: {},
        }),
      ),
    ).toEqual([
      '--listen is "127.0.0.1:65536" (string); expected HOST:PORT such as 127.0.0.1:9780 or [::]:9780, port 0 to 65535',
      '--interval is "2h" (string); expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m',
      '--request-timeout is "61s" (string); expected a duration from 100ms to 1m, such as 500ms, 10s or 1m',
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
          ? readAgentConfig({ flags: { taskLabels: text }, env: {} })
          : readAgentConfig({ env: { TASKSCOPE_TASK_LABELS: text } });
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
          expect(readAgentConfig({ flags: { requestTimeout: text }, env: {} }).requestTimeoutMs).toBe(ms);
        }
      }),
    );
  });
});

describe('--prices FILE', () => {
  const TABLE = TEST_PRICE_TABLE;
  const files: Record<string, string> = {
    'good.json': JSON.stringify(TABLE),
    'bad.json': JSON.stringify({
      ...TABLE,
      regions: {
        'us-east-1': {
          ...TABLE.regions['us-east-1'],
          'linux/x86_64': { dollarsPerVcpuHour: -1, dollarsPerGbHour: 0.004 },
        },
      },
    }),
    'text.json': 'rates: cheap',
  };
  const readFile = (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
  const read = (flags: AgentFlags, env: Record<string, string> = {}) =>
    readAgentConfig({ flags, env: { ECS_CONTAINER_METADATA_URI_V4: V4, ...env }, readFile });

  it('replaces the built-in table, from the flag or TASKSCOPE_PRICES', () => {
    // The file's table as @taskscope/fargate reads one (its own tests hold the reading).
    expect(read({ prices: 'good.json' }).prices).toEqual(parsePriceTable(TABLE, 'any'));
    expect(read({}, { TASKSCOPE_PRICES: 'good.json' }).prices?.source).toBe('our sheet');
    expect(read({}).prices).toBeUndefined();
  });

  it.each([
    [
      { prices: 'bad.json' },
      {},
      'price table bad.json (--prices): field "regions.us-east-1.linux/x86_64.dollarsPerVcpuHour" is -1 (number); expected a value ≥ 0',
    ],
    [
      {},
      { TASKSCOPE_PRICES: 'missing.json' },
      'price table missing.json (TASKSCOPE_PRICES): TASKSCOPE_PRICES is "missing.json" (string); expected a readable JSON price table file (it cannot be read: ENOENT)',
    ],
    [
      { prices: 'text.json' },
      {},
      `price table text.json (--prices): --prices is "text.json" (string); expected a JSON price table (the file is not JSON: ${(thrownBy(() => JSON.parse('rates: cheap')) as Error).message})`,
    ],
  ])('a bad file is one input error naming the field: %j %j', (flags, env, message) => {
    const error = thrownBy(() => read(flags, env));
    expect(error).toBeInstanceOf(InputError);
    expect([(error as InputError).code, (error as InputError).message]).toEqual(['FARGATE_PRICES', message]);
  });
});
