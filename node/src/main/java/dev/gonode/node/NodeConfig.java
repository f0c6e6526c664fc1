package dev.gonode.node;

import java.util.Objects;

/**
 * The node's configuration, as {@code config/gonode.yaml} lays it out. The embedded defaults
 * come from that file; environment variables override them (see the file for each key).
 *
 * @param admin the admin HTTP listener
 */
public record NodeConfig(Admin admin) {

    public NodeConfig {
        Objects.requireNonNull(admin, "admin");
    }

    /**
     * The admin HTTP listener ({@code /healthz}, {@code /debug/sched}).
     *
     * @param host the address to bind: a host name or IP address ({@code admin.host},
     *             {@code GONODE_ADMIN_HOST})
     * @param port the TCP port, 0 to 65535, where 0 picks a free port ({@code admin.port},
     *             {@code GONODE_ADMIN_PORT})
     */
    public record Admin(String host, int port) {

        public Admin {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be from 0 to 65535, got " + port);
            }
        }
    }
}
