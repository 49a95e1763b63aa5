/**
 * A concurrent bank: workers on two managers (two "nodes", one committing in one phase, one in two)
 * make random transfers among 100 accounts for a bounded time, retrying conflicts, and log each
 * transfer inside the same transaction. Auditors read every balance in read-only SERIALIZABLE
 * transactions. Afterwards the total is unchanged, the log holds exactly the acknowledged
 * transfers, and replaying the log gives every balance. Outcomes only are asserted, never timing.
 */
import { describeConcurrentBank } from './bank-workload.js';

describeConcurrentBank('concurrent bank', [{}, {}]);
