/**
 * Atomicity across a crash: a process killed (SIGKILL) in the middle of commit leaves a
 * transaction that a fresh process sees entirely or not at all — none when it died before the
 * commit state was written, all once it was, even if only some records were committed.
 */
import { describeCrashCases } from './crash-cases.js';

describeCrashCases({ groupCommit: false });
