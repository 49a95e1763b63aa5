package polygres.interop;

import com.scalar.db.api.DistributedTransaction;
import com.scalar.db.api.DistributedTransactionManager;
import com.scalar.db.api.Update;
import com.scalar.db.exception.transaction.CommitConflictException;
import com.scalar.db.exception.transaction.CrudConflictException;
import com.scalar.db.exception.transaction.UnknownTransactionStatusException;
import com.scalar.db.io.Key;
import com.scalar.db.service.TransactionFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cross-storage bank of bench/cross-storage.ts through ScalarDB's Java API: every transfer reads
 * and writes one account of PG_NS.accounts and one of CS_NS.accounts (tables polygres created), and
 * a conflict retries the same transfer at once. Prints one JSON line.
 *
 * <pre>
 *   Bench PROPERTIES PG_NS CS_NS ACCOUNTS THREADS SECONDS WARMUP_SECONDS
 * </pre>
 *
 * Latency is a transfer's, from its first attempt to its commit; the abort rate is failed attempts
 * over all attempts; only transfers that start after the warm-up count.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: Bench PROPERTIES PG_NS CS_NS ACCOUNTS THREADS SECONDS WARMUP_SECONDS");
      System.exit(2);
    }
    String pgNs = args[1];
    String csNs = args[2];
    int accounts = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    long measureNanos = Long.parseLong(args[5]) * 1_000_000_000L;
    long warmupNanos = Long.parseLong(args[6]) * 1_000_000_000L;
    DistributedTransactionManager manager = TransactionFactory.create(args[0]).getTransactionManager();

    long start = System.nanoTime();
    long measureFrom = start + warmupNanos;
    long end = measureFrom + measureNanos;
    AtomicLong attempts = new AtomicLong();
    AtomicLong aborted = new AtomicLong();
    AtomicLong unknown = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                long[] mine = new long[1 << 20];
                int n = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                  int from = random.nextInt(accounts);
                  int to = random.nextInt(accounts);
                  int amount = 1 + random.nextInt(10);
                  long began = System.nanoTime();
                  boolean measured = began >= measureFrom;
                  for (; ; ) {
                    if (measured) attempts.incrementAndGet();
                    DistributedTransaction tx = null;
                    try {
                      tx = manager.start();
                      int a = tx.get(Bank.account(pgNs, from)).orElseThrow().getInt("balance");
                      int b = tx.get(Bank.account(csNs, to)).orElseThrow().getInt("balance");
                      tx.update(Update.newBuilder().namespace(pgNs).table("accounts").partitionKey(Key.ofInt("id", from)).intValue("balance", a - amount).build());
                      tx.update(Update.newBuilder().namespace(csNs).table("accounts").partitionKey(Key.ofInt("id", to)).intValue("balance", b + amount).build());
                      tx.commit();
                      long done = System.nanoTime();
                      if (measured && done <= end && n < mine.length) mine[n++] = done - began;
                      break;
                    } catch (CrudConflictException | CommitConflictException e) {
                      if (measured) aborted.incrementAndGet();
                      rollbackQuietly(tx);
                    } catch (UnknownTransactionStatusException e) {
                      if (measured) unknown.incrementAndGet();
                      break;
                    } catch (Exception e) {
                      if (failed.getAndIncrement() == 0) e.printStackTrace();
                      rollbackQuietly(tx);
                      break;
                    }
                  }
                }
                long[] own = new long[n];
                System.arraycopy(mine, 0, own, 0, n);
                latencies.add(own);
              });
      workers.add(worker);
      worker.start();
    }
    // CPU of this process (the transaction manager's work, as the polygres server's is measured)
    // over the measured window only.
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
    long cpuFrom = os.getProcessCpuTime();
    Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
    long cpuTo = os.getProcessCpuTime();
    for (Thread w : workers) w.join();
    manager.close();

    int total = 0;
    for (long[] l : latencies) total += l.length;
    long[] all = new long[total];
    int at = 0;
    for (long[] l : latencies) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    java.util.Arrays.sort(all);
    double seconds = measureNanos / 1e9;
    System.out.printf(
        "{\"clients\":%d,\"seconds\":%.1f,\"committed\":%d,\"attempts\":%d,\"aborted\":%d,\"unknown\":%d,\"failed\":%d,\"tps\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"cpu_ms_per_transfer\":%.2f}%n",
        threads, seconds, total, attempts.get(), aborted.get(), unknown.get(), failed.get(), total / seconds, percentile(all, 0.50), percentile(all, 0.99),
        (cpuTo - cpuFrom) / 1e6 / Math.max(1, total));
    System.exit(0);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int i = Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static void rollbackQuietly(DistributedTransaction tx) {
    if (tx == null) return;
    try {
      tx.rollback();
    } catch (Exception ignored) {
      // The transaction is over either way.
    }
  }
}
