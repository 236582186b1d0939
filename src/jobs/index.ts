/**
 * Every schema of data that crosses a boundary, in one place: the task a worker receives, the
 * parameters and the state file of a long job, a queued job (and the message types of the
 * exact-moments thread). Types come from the schemas, so a new kind is a new schema here and the
 * compiler names every place that must handle it.
 *
 * @packageDocumentation
 */
export {
  Count,
  PositiveCount,
  EncodedNumber,
  EncodedNumbers,
  EstimatorNameSchema,
  ObjectiveDescriptorSchema,
} from './fields.js';
export {
  MomentsJobSchema,
  SampleJobSchema,
  LogProbJobSchema,
  GradientsJobSchema,
  GradientJobSchema,
  JobDescriptorSchema,
  TaskSchema,
  GradientSetupTaskSchema,
} from './task-schema.js';
export { MomentsParamsSchema, GradientsParamsSchema, JobParamsSchema, distributionFields } from './params-schema.js';
export {
  JOB_STATE_FORMAT,
  JOB_STATE_VERSION,
  MomentPartSumsSchema,
  GradientPartSumsSchema,
  MomentsStateFileSchema,
  GradientsStateFileSchema,
  STATE_FILE_SCHEMAS,
  stateSizeIssue,
} from './state-schema.js';
export { firstIssue } from './validate.js';
export type { ObjectiveDescriptor, EncodedNumberValue } from './fields.js';
export type {
  MomentsJob,
  SampleJob,
  LogProbJob,
  GradientsJob,
  GradientJob,
  JobDescriptor,
  JobKind,
  JobKindFields,
  Task,
  GradientSetupTask,
} from './task-schema.js';
export type { MomentsParams, GradientsParams, JobParams, DistributionFields } from './params-schema.js';
export type {
  MomentPartSums,
  GradientPartSums,
  MomentsStateFile,
  GradientsStateFile,
  StateFile,
} from './state-schema.js';
export type { SchemaIssue } from './validate.js';
export type { ExactRowRequest, ExactJobRequest, ExactJobMessage } from './exact-rows.js';
export {
  WIRE_VERSION,
  MAX_QUEUED_PARAMS,
  MAX_QUEUED_GROUP_SIZE,
  QueuedObjectiveSchema,
  QueuedMomentsJobSchema,
  QueuedGradientsJobSchema,
  QueuedJobSchema,
  QueuedResultSchema,
} from './queue-schema.js';
export type { QueuedJob, QueuedObjective, QueuedResult } from './queue-schema.js';
