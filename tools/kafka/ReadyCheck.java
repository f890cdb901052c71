// Fallback for kafka.sh start when node/kafkajs is not available (e.g. before `npm ci`):
// run with the broker's own jars as a single-file program:
//   java -cp "<libs>/*" tools/kafka/ReadyCheck.java <bootstrap> <timeout seconds> [pid]
// exit 0 ready, 1 timed out, 2 broker process died.
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

public class ReadyCheck {
  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    long deadline = System.currentTimeMillis() + 1000L * (args.length > 1 ? Long.parseLong(args[1]) : 90);
    Long pid = args.length > 2 ? Long.valueOf(args[2]) : null;
    String lastError = "no attempt made";
    while (System.currentTimeMillis() < deadline) {
      if (pid != null && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        System.err.println("ReadyCheck: broker process " + pid + " exited");
        System.exit(2);
      }
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
      try (Admin admin = Admin.create(p)) {
        String id = admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
        admin.listTopics().names().get(5, TimeUnit.SECONDS);
        // FindCoordinator makes the broker create __consumer_offsets now; an unknown
        // group is the expected answer once the coordinator is up.
        try {
          admin.describeConsumerGroups(List.of("baton-kafka-wait-ready")).all().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof GroupIdNotFoundException)) throw e;
        }
        System.out.println("ReadyCheck: ok (cluster " + id + ")");
        System.exit(0);
      } catch (Exception e) {
        lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
      }
      Thread.sleep(500);
    }
    System.err.println("ReadyCheck: timed out; last error: " + lastError);
    System.exit(1);
  }
}
