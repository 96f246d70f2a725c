/**
 * The scenario engine: scenario files and built-ins, and a payload source that serves
 * them with the real endpoint's shapes, cadence and ground truth.
 */
export { builtInScenario, builtInScenarioNames } from './built-ins.js';
export type { Profile, ProfileShape } from './engine/profile.js';
export { ScenarioError, type ScenarioErrorCode } from './errors.js';
export { loadScenario, parseScenarioText } from './load.js';
export { createScenarioSource, type ScenarioSource, type ScenarioSourceOptions } from './scenario-source.js';
export type {
  CgroupFlavour,
  ContainerState,
  LaunchType,
  Scenario,
  ScenarioContainer,
  ScenarioEvent,
  ScenarioHealthResult,
  ScenarioLoad,
  ScenarioNetworkMode,
  ScenarioTask,
} from './schema/types.js';
export { validateScenarioValue } from './validate.js';
