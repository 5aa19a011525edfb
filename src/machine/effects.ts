// Constructors for effects, so handlers read as "send this", "persist", not as object literals.
import type { Effect, Message } from './types.ts';

export const persist: Effect = { type: 'persist' };
export const resetElectionTimer: Effect = { type: 'resetElectionTimer' };
export const resetHeartbeatTimer: Effect = { type: 'resetHeartbeatTimer' };
export const send = (message: Message): Effect => ({ type: 'send', message });
