import * as v from 'valibot';
import {
  bytes,
  DURATION_TEXT,
  durationMs,
  fields,
  flag,
  int,
  intFrom,
  isPlainRecord,
  matching,
  POSITIVE_DURATION_TEXT,
  strictFields,
  stringMap,
  text,
  type ValueSchema,
} from './fields.js';
import { profileSchema } from './profile-schema.js';

/*
 * The scenario document as a file writes it (documented field by field in
 * packages/mock/SCENARIOS.md), with the defaults a file may leave out. Rules across fields
 * are in fargate-rules.ts and document-rules.ts.
 */

const CORES = 'a number of cores (0.5 = half a vCPU)';
const cores: ValueSchema = v.pipe(v.number(CORES), v.finite(CORES), v.minValue(0, 'a number of cores ≥ 0'));
const byteValue: ValueSchema = bytes('a size in bytes: a number or a string such as "64MiB", "1.5GB"');
const rateValue: ValueSchema = bytes('bytes per second: a number or a string such as "200KiB", "1MB"');

const cpuProfile = profileSchema(cores, 'a number of cores');
const bytesProfile = profileSchema(byteValue, 'a size such as 64MiB');
const rateProfile = profileSchema(rateValue, 'bytes per second such as 200KiB');

// Defaults are inputs (valibot validates them like any value), so they read as a file would.
const LoadSchema = v.optional(
  fields(
    {
      cpuCores: v.optional(cpuProfile, 0.05),
      memoryWorkingSetBytes: v.optional(bytesProfile, '64MiB'),
      memoryCacheBytes: v.optional(bytesProfile, '8MiB'),
      networkRxBytesPerSecond: v.optional(rateProfile, 0),
      networkTxBytesPerSecond: v.optional(rateProfile, 0),
      diskReadBytesPerSecond: v.optional(rateProfile, 0),
      diskWriteBytesPerSecond: v.optional(rateProfile, 0),
    },
    'a map of load profiles (see SCENARIOS.md)',
  ),
  {},
);

const EVENT = 'an event {at, action: restart} or {at, action: stop, exitCode}';
const eventAt = durationMs(POSITIVE_DURATION_TEXT, 1);
// The variant picks its option by `action`, so it needs the bare object options.
const EventSchema = v.pipe(
  v.custom<Record<string, unknown>>(isPlainRecord, EVENT),
  v.variant(
    'action',
    [
      strictFields({ at: eventAt, action: v.literal('restart') }, EVENT),
      strictFields(
        { at: eventAt, action: v.literal('stop'), exitCode: v.optional(int('an integer exit code'), 0) },
        EVENT,
      ),
    ],
    EVENT,
  ),
);

const HEALTH_RESULT = 'a health check result {after, status: HEALTHY or UNHEALTHY, exitCode, output}';
const FAILING_EXIT_CODE = 'an integer exit code other than 0 (a check that passes exits 0)';
const HEALTH_OUTPUT = 'text of at most 1024 characters (the ECS agent keeps 1024 bytes of it)';
// One change of the container's health check status, `after` its start (each run replays them).
const HealthResultSchema = fields(
  {
    after: durationMs(DURATION_TEXT),
    status: v.picklist(['HEALTHY', 'UNHEALTHY'], 'HEALTHY or UNHEALTHY'),
    exitCode: v.optional(
      v.pipe(
        int(FAILING_EXIT_CODE),
        v.check((code) => code !== 0, FAILING_EXIT_CODE),
      ),
    ),
    output: v.optional(v.pipe(v.string(HEALTH_OUTPUT), v.maxLength(1024, HEALTH_OUTPUT))),
  },
  HEALTH_RESULT,
);

const CPU_UNITS = 'an integer number of CPU units (1024 = 1 vCPU), 0 to 10240';
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const MIB_AT_LEAST_6 = v.pipe(int('an integer number of MiB, at least 6'), v.minValue(6, 'at least 6 MiB'));

const ContainerSchema = fields(
  {
    name: matching(CONTAINER_NAME, 'letters, digits, - and _ (1 to 255)'),
    image: text('an image reference such as "nginx:1.27"'),
    cpu: v.optional(intFrom(0, 10_240, CPU_UNITS), 0),
    memory: v.optional(MIB_AT_LEAST_6),
    memoryReservation: v.optional(MIB_AT_LEAST_6),
    essential: v.optional(flag, true),
    state: v.optional(
      v.picklist(['RUNNING', 'PULLED', 'CREATED', 'STOPPED'], 'RUNNING, PULLED, CREATED or STOPPED'),
      'RUNNING',
    ),
    exitCode: v.optional(int('an integer exit code')),
    restartPolicy: v.optional(flag, false),
    health: v.optional(v.array(HealthResultSchema, 'a list of health check results (see SCENARIOS.md)')),
    ports: v.optional(v.array(intFrom(1, 65_535, 'a port number, 1 to 65535'), 'a list of port numbers'), []),
    logDriver: v.optional(v.picklist(['awslogs', 'none'], 'awslogs or none'), 'awslogs'),
    labels: v.optional(stringMap, {}),
    pidsLimit: v.optional(v.pipe(int('an integer ≥ 1'), v.minValue(1, 'an integer ≥ 1')), 4096),
    load: LoadSchema,
    events: v.optional(v.array(EventSchema, 'a list of events'), []),
  },
  'a container {name, image, …} (see SCENARIOS.md)',
);

const REVISION = 'a revision number ≥ 1 such as 7 or "7"';
const ACCOUNT_ID = 'a 12-digit account ID (quote it in YAML)';
const TASK_CPU = 'a number of vCPU such as 0.25';
const EPHEMERAL_GIB = 'an integer from 20 to 200';
const UTILIZED_MIB = 'an integer number of MiB ≥ 0';

const TaskSchema = fields(
  {
    cluster: text('a cluster short name such as "default"'),
    family: text('a task definition family name'),
    revision: v.pipe(
      v.union([v.pipe(int(REVISION), v.minValue(1, REVISION)), matching(/^[1-9]\d*$/, REVISION)], REVISION),
      v.transform(String),
    ),
    region: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as "us-east-1"'),
    // YAML reads an unquoted account ID as a number; a number with all 12 digits is fine.
    accountId: v.pipe(
      v.union([v.string(), v.number()], ACCOUNT_ID),
      v.transform(String),
      v.regex(/^\d{12}$/, ACCOUNT_ID),
    ),
    taskId: v.optional(matching(/^[0-9a-f]{32}$/, '32 lowercase hex digits')),
    taskArn: v.optional(matching(/^arn:aws[a-z-]*:ecs:/, 'an ECS task ARN')),
    serviceName: v.optional(text('a service name')),
    availabilityZone: v.optional(
      matching(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an availability zone such as "us-east-1a"'),
    ),
    launchType: v.picklist(['FARGATE', 'EC2'], 'FARGATE or EC2'),
    platformVersion: v.optional(
      matching(/^(LATEST|\d+\.\d+\.\d+)$/, 'a platform version such as "1.4.0" or "LATEST"'),
    ),
    cpu: v.optional(v.pipe(v.number(TASK_CPU), v.finite(TASK_CPU), v.gtValue(0, 'a number of vCPU above 0'))),
    memory: v.optional(
      v.pipe(int('an integer number of MiB such as 512'), v.minValue(128, 'at least 128 MiB')),
    ),
    ephemeralStorage: v.optional(
      fields(
        {
          sizeGiB: v.optional(intFrom(20, 200, EPHEMERAL_GIB), 20),
          utilizedMiB: v.optional(v.pipe(int(UTILIZED_MIB), v.minValue(0, UTILIZED_MIB)), 200),
        },
        'a map {sizeGiB, utilizedMiB}',
      ),
    ),
    vpcId: v.optional(matching(/^vpc-[0-9a-f]{8,17}$/, 'a VPC ID such as "vpc-0839c743edb0c009e"')),
    tags: v.optional(stringMap, {}),
    containerInstanceTags: v.optional(stringMap, {}),
  },
  'a task {cluster, family, revision, …} (see SCENARIOS.md)',
);

const CONTAINERS = 'a list of 1 to 10 containers';

export const DocumentSchema = fields(
  {
    name: v.optional(text('a scenario name')),
    description: v.optional(v.string('text')),
    task: TaskSchema,
    networkMode: v.optional(v.picklist(['awsvpc', 'bridge'], 'awsvpc or bridge')),
    cgroup: v.optional(v.picklist(['v1', 'v2', 'windows'], 'v1, v2 or windows'), 'v1'),
    cadence: v.optional(durationMs(`${DURATION_TEXT}, from 100ms to 60s`, 1)),
    readSpread: v.optional(durationMs(`${DURATION_TEXT}, from 0ms to below the cadence`)),
    host: v.optional(
      fields(
        {
          onlineCpus: v.optional(intFrom(1, 192, 'an integer from 1 to 192')),
          uptime: v.optional(durationMs(DURATION_TEXT)),
        },
        'a map {onlineCpus, uptime}',
      ),
      {},
    ),
    network: v.optional(
      fields(
        {
          interface: v.optional(text('an interface name such as "eth1"')),
          ipv4Address: v.optional(
            matching(/^(\d{1,3}\.){3}\d{1,3}$/, 'an IPv4 address such as "10.0.117.145"'),
          ),
          subnet: v.optional(
            matching(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'a CIDR block such as "10.0.0.0/17"'),
          ),
          ipv6: v.optional(flag, false),
        },
        'a map {interface, ipv4Address, subnet, ipv6}',
      ),
      {},
    ),
    containers: v.pipe(
      v.array(ContainerSchema, CONTAINERS),
      v.minLength(1, CONTAINERS),
      v.maxLength(10, CONTAINERS),
    ),
  },
  'a scenario document {task, containers, …} (see SCENARIOS.md)',
);

export type Document = v.InferOutput<typeof DocumentSchema>;

/** A rule across fields that a document breaks: where (relative to the document) and what is allowed. */
export type Problem = { path: (string | number)[]; allowed: string };
