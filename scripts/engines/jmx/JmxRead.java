import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads MBean attributes of an engine once: `java JmxRead.java HOST:PORT 'domain:key=value,...#Attribute'...`
 * prints one line per argument, the argument, a tab and the value (empty when the MBean is not
 * registered yet, as a broker's request metric before its first request of that kind). A pattern
 * (`...,*`) sums the attribute over every MBean it matches: a broker keeps one request counter per
 * request version.
 */
public class JmxRead {
  public static void main(String[] args) throws Exception {
    JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + args[0] + "/jmxrmi");
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      for (int i = 1; i < args.length; i++) {
        int at = args[i].lastIndexOf('#');
        ObjectName name = new ObjectName(args[i].substring(0, at));
        String attribute = args[i].substring(at + 1);
        Object value = null;
        if (name.isPattern()) {
          long sum = 0;
          for (ObjectName match : server.queryNames(name, null)) {
            sum += ((Number) server.getAttribute(match, attribute)).longValue();
            value = sum;
          }
        } else if (server.isRegistered(name)) {
          value = server.getAttribute(name, attribute);
        }
        System.out.println(args[i] + "\t" + (value == null ? "" : value));
      }
    }
  }
}
