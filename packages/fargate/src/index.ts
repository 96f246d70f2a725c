/**
 * @taskscope/fargate: the valid Fargate task sizes per platform, the on-demand prices with their
 * source and date, the cost of a task so far, the task-definition rules and right-sizing. Pure: no I/O, clock,
 * environment or logger; times and documents are arguments.
 */

export { FARGATE_ERROR_CODES, type FargateErrorCode, PriceTableError } from './errors.js';
export {
  BUILT_IN_PRICES,
  costSoFar,
  dollarsPerHour,
  FREE_EPHEMERAL_STORAGE_GIB,
  type PlatformRates,
  type PricedTask,
  type PriceTable,
  type PriceTableInput,
  parsePriceTable,
  priceTableSchema,
  priceTask,
  type RegionLookup,
  type RegionPrices,
  regionOf,
  regionPrices,
  type TaskCost,
  type TaskPrice,
} from './prices.js';
export {
  type ContainerSample,
  type ContainerSuggestion,
  CPU_AT_LIMIT_RATIO,
  HOURS_PER_MONTH,
  OOM_RISK_RATIO,
  type PricedSize,
  percentileOf,
  type Recommendation,
  type RightsizeOptions,
  recommendationSchema,
  repriceRecommendation,
  rightsize,
  SHORT_WINDOW_MS,
  type TaskSample,
  type TaskUsage,
} from './rightsize.js';
export {
  type CpuOption,
  cpuOptions,
  FARGATE_PLATFORMS,
  type FargatePlatform,
  type FargateSize,
  fargateSizes,
  isFargateSize,
  memoryWords,
  sizeTableWords,
  smallestSizeHolding,
} from './sizes.js';
export {
  CONTAINER_NAME_WORDS,
  EPHEMERAL_STORAGE_GIB,
  isContainerName,
  MAX_CONTAINERS,
  MIN_CONTAINER_MEMORY_MIB,
  parseTaskCpuUnits,
  parseTaskMemoryMiB,
  platformOf,
  READ_ONLY_TASK_DEFINITION_FIELDS,
  requiresFargate,
  TASK_DEFINITION_RULES,
  type TaskDefinitionProblem,
  type TaskDefinitionRule,
  taskSizeOf,
  unwrapTaskDefinition,
  validateTaskDefinition,
} from './task-definition.js';
