/**
 * Every schema of data that crosses a boundary, in one place: the task a worker receives, the
 * parameters and the state file of a long job. Types come from the schemas, so a new kind is a
 * new schema here and the compiler names every place that must handle it.
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
