export { type ComputeInput, computeTaskMetrics } from './compute.js';
export { detectCgroup, detectNetworkMode, isPauseContainer, PAUSE_CONTAINER_NAME } from './detect.js';
export { diffSnapshot } from './diff.js';
export { parseTaskArn, type TaskArnParts, taskIdentityOf } from './identity.js';
export { memoryMetrics } from './memory.js';
export { normalizeSnapshot, normalizeStats, taskLimitsOf } from './normalize.js';
export type {
  ContainerIdentity,
  ContainerSnapshot,
  CpuSample,
  InterfaceReading,
  InterfaceSample,
  StatsSample,
  TaskSnapshot,
} from './snapshot.js';
export type {
  ContainerBaseline,
  ContainerRates,
  ContainerState,
  CoreState,
  InterfaceRates,
  InterfaceState,
} from './state.js';
export { payloadTime } from './time.js';
export type * from './types.js';
