/**
 * Atomicity across a crash with coordinator group commit on: a process killed after prepare, after
 * its group's commit state, or during commit-records leaves a grouped transaction that a fresh
 * process sees entirely or not at all (the cases are crash-cases.ts).
 */
import { describeCrashCases } from './crash-cases.js';

describeCrashCases({ groupCommit: true });
