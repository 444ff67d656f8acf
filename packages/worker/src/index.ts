export { type AnnounceOptions, type Announcer, announce } from './announce.js';
export type { JobContext, ProgressUpdate } from './context.js';
export {
  AnnounceError,
  CallbackError,
  type WorkerErrorCode,
  WorkerHttpError,
  workerErrors,
} from './errors.js';
export type {
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
  WorkerFastifyPlugin,
} from './fastify-plugin.js';
export { invokeHandler, type JobHandler, type JobResult, toJobResult } from './job-result.js';
export { createMockContext, type MockContextInit, type MockJobContext } from './mock-context.js';
export { shardOf } from './shard.js';
export {
  DEFAULT_TOLERANCE_SEC,
  type RawBody,
  SignatureError,
  type SignatureErrorCode,
  signPayload,
  type VerifySignatureOptions,
  verifySignature,
} from './signature.js';
export type { RunCallback, Shard, Trigger, TriggerKind } from './trigger.js';
export {
  type CloseOptions,
  createWorker,
  type Worker,
  type WorkerAnnounceOptions,
  type WorkerMiddleware,
  type WorkerOptions,
} from './worker.js';
export type { JobDefinition, JobMode } from './worker-core.js';
