/**
 * Public face of the Tencent Cloud Chat REST API simulator (dev and test only; nothing under `src/`
 * may import it, so it never reaches the Lambda bundle).
 */
export { BlocklistFullError, Blocklists, MAX_BLOCKLIST_ENTRIES, NOT_IN_BLOCKLIST } from './blocklists.ts';
export { COMMANDS, type CommandFacts, type CommandKind, commandFacts } from './catalog.ts';
export {
  type ChatApiSimulator,
  type ChatApiSimulatorOptions,
  DEFAULT_CALLS_PER_SECOND,
  type SeedFriendship,
  startChatApiSimulator,
} from './chatApiSimulator.ts';
export { ChatData, type ChatFeatures, DEFAULT_FEATURES } from './chatData.ts';
export {
  type ContactGroup,
  ContactGroupLimitError,
  ContactGroups,
  MAX_CONTACT_GROUPS_PER_USER,
} from './contactGroups.ts';
export {
  type Conversation,
  Conversations,
  type ConversationTarget,
  conversationKey,
  type ListCursors,
} from './conversations.ts';
export { decodeCursor, encodeCursor, InvalidCursorError } from './cursors.ts';
export { type CommandFault, type Fault, mulberry32, type RandomFaults } from './faults.ts';
export { FollowGraph, type FollowType } from './follows.ts';
export {
  type AddType,
  type CheckType,
  type DeleteType,
  FriendGraph,
  type FriendList,
  MAX_FRIEND_LISTS_PER_USER,
  type Relation,
  TooManyFriendListsError,
  UnknownAccountError,
} from './friendGraph.ts';
export {
  type Group,
  type GroupMember,
  GroupStore,
  type GroupType,
  InvalidGroupError,
  type MemberRole,
} from './groups.ts';
export type { ConversationData, PersonalData } from './personalData.ts';
export { type CustomTag, Profiles, type ProfileValue, STANDARD_PROFILE_TAGS } from './profiles.ts';
export { ACCOUNT_CALLS_PER_SECOND, PerCommandRateLimits } from './rateLimits.ts';
export { RATE_WINDOW_MS, SlidingRateWindow } from './rateWindow.ts';
export type { RequestLogEntry, SimulatorCounters } from './requestLog.ts';
export { type ChatSeed, InvalidSeedError } from './seeding.ts';
