/**
 * Public face of the Tencent Cloud Chat REST API simulator (dev and test only; nothing under `src/`
 * may import it, so it never reaches the Lambda bundle).
 */
export {
  type ChatApiSimulator,
  type ChatApiSimulatorOptions,
  type SeedFriendship,
  startChatApiSimulator,
} from './chatApiSimulator.ts';
export { type Fault, mulberry32, type RandomFaults } from './faults.ts';
export {
  type AddType,
  type CheckType,
  type DeleteType,
  FriendGraph,
  type Relation,
  UnknownAccountError,
} from './friendGraph.ts';
export { RATE_WINDOW_MS, SlidingRateWindow } from './rateWindow.ts';
export type { RequestLogEntry, SimulatorCounters } from './requestLog.ts';
