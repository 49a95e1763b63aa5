package polygres.interop;

import com.scalar.db.api.DistributedTransaction;
import com.scalar.db.api.DistributedTransactionManager;
import com.scalar.db.api.Get;
import com.scalar.db.api.Insert;
import com.scalar.db.api.Result;
import com.scalar.db.api.Update;
import com.scalar.db.exception.transaction.CrudConflictException;
import com.scalar.db.exception.transaction.CommitConflictException;
import com.scalar.db.exception.transaction.TransactionException;
import com.scalar.db.io.Key;
import com.scalar.db.service.TransactionFactory;
import java.util.Optional;

/**
 * A ScalarDB 3.16 client of tables that polygres created through SQL, on the same storages:
 *
 * <pre>
 *   read PROPERTIES NAMESPACE ID...                         balances of accounts (NAMESPACE.accounts)
 *   read-transfer PROPERTIES NAMESPACE ID                   one row of NAMESPACE.transfers
 *   transfer PROPERTIES FROM_NS FROM_ID TO_NS TO_ID AMOUNT LOG_NS LOG_ID
 *                                                           one Consensus Commit transaction: both
 *                                                           balances and a row in LOG_NS.transfers
 * </pre>
 *
 * Tables: {@code accounts (id INT key, balance INT)}, {@code transfers (id TEXT key, source TEXT,
 * target TEXT, amount INT)}. Output is one line per result, fields separated by tabs; a conflict
 * exits with status 3, any other failure with 1.
 */
public final class Bank {
  private Bank() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) usage();
    TransactionFactory factory = TransactionFactory.create(args[1]);
    DistributedTransactionManager manager = factory.getTransactionManager();
    int status = 0;
    try {
      switch (args[0]) {
        case "read":
          read(manager, args);
          break;
        case "read-transfer":
          readTransfer(manager, args);
          break;
        case "transfer":
          transfer(manager, args);
          break;
        default:
          usage();
      }
    } catch (CrudConflictException | CommitConflictException e) {
      System.out.println("conflict\t" + e.getMessage());
      status = 3;
    } finally {
      manager.close();
    }
    System.exit(status);
  }

  private static void usage() {
    System.err.println("usage: Bank read|read-transfer|transfer PROPERTIES ...");
    System.exit(2);
  }

  static Get account(String namespace, int id) {
    return Get.newBuilder().namespace(namespace).table("accounts").partitionKey(Key.ofInt("id", id)).build();
  }

  private static void read(DistributedTransactionManager manager, String[] args) throws TransactionException {
    DistributedTransaction tx = manager.start();
    try {
      for (int i = 3; i < args.length; i++) {
        int id = Integer.parseInt(args[i]);
        Optional<Result> r = tx.get(account(args[2], id));
        System.out.println(id + "\t" + (r.isPresent() ? String.valueOf(r.get().getInt("balance")) : "absent"));
      }
      tx.commit();
    } catch (TransactionException e) {
      tx.rollback();
      throw e;
    }
  }

  private static void readTransfer(DistributedTransactionManager manager, String[] args) throws TransactionException {
    DistributedTransaction tx = manager.start();
    try {
      Optional<Result> r =
          tx.get(Get.newBuilder().namespace(args[2]).table("transfers").partitionKey(Key.ofText("id", args[3])).build());
      if (r.isPresent()) {
        Result row = r.get();
        System.out.println(row.getText("id") + "\t" + row.getText("source") + "\t" + row.getText("target") + "\t" + row.getInt("amount"));
      } else {
        System.out.println("absent");
      }
      tx.commit();
    } catch (TransactionException e) {
      tx.rollback();
      throw e;
    }
  }

  private static void transfer(DistributedTransactionManager manager, String[] args) throws TransactionException {
    String fromNs = args[2];
    int fromId = Integer.parseInt(args[3]);
    String toNs = args[4];
    int toId = Integer.parseInt(args[5]);
    int amount = Integer.parseInt(args[6]);
    String logNs = args[7];
    String logId = args[8];
    DistributedTransaction tx = manager.start();
    try {
      int from = tx.get(account(fromNs, fromId)).orElseThrow().getInt("balance");
      int to = tx.get(account(toNs, toId)).orElseThrow().getInt("balance");
      tx.update(Update.newBuilder().namespace(fromNs).table("accounts").partitionKey(Key.ofInt("id", fromId)).intValue("balance", from - amount).build());
      tx.update(Update.newBuilder().namespace(toNs).table("accounts").partitionKey(Key.ofInt("id", toId)).intValue("balance", to + amount).build());
      tx.insert(
          Insert.newBuilder()
              .namespace(logNs)
              .table("transfers")
              .partitionKey(Key.ofText("id", logId))
              .textValue("source", fromNs + "#" + fromId)
              .textValue("target", toNs + "#" + toId)
              .intValue("amount", amount)
              .build());
      tx.commit();
      System.out.println("committed\t" + tx.getId());
    } catch (TransactionException e) {
      tx.rollback();
      throw e;
    }
  }
}
