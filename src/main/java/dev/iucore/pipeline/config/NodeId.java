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
        return host() + ":" + ProcessHandle.current().pid();
    }

    /** This host's name, as the default node id begins. */
    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
