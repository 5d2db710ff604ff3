package dev.iucore.pipeline.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The name of this process in leases, attempts and logs: {@code iu.node-id}, or host:pid. */
public final class NodeId {

    private NodeId() {
    }

    public static String of(Settings settings) {
        return settings.optional(Setting.NODE_ID).orElseGet(NodeId::hostAndPid);
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
