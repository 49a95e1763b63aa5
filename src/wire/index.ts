/** The wire layer's public surface, for src/server and tools. */
export { startWireServer, serverVersionNum, DEFAULT_WIRE_LIMITS, DEFAULT_SERVER_VERSION } from './server.js';
export type { WireServer, WireServerOptions, WireLimits, WireTlsOptions, WireAuthOptions, CancelForwardRequest } from './server.js';
export { makeScramVerifier, makeMd5Verifier, DEFAULT_SCRAM_ITERATIONS } from './scram.js';
export { parseAccessRules } from './hba.js';
export type { AccessRule, AuthMethod } from './hba.js';
export { nodeIdOfPid, MAX_NODE_ID } from './cancel-keys.js';
export type {
  WireLogger,
  WireHooks,
  ConnectionOpenedEvent,
  ConnectionClosedEvent,
  StatementCompletedEvent,
  ErrorSentEvent,
} from './observability.js';
export type { Backend, BackendSession } from './backend.js';
