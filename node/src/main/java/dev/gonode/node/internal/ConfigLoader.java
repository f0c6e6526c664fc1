package dev.gonode.node.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.StartupException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Map;

/**
 * Builds the node's configuration: the embedded defaults ({@code config/gonode.yaml}, on the
 * class path as {@value #DEFAULTS_RESOURCE}), then the environment variables that override them.
 *
 * <p>Every value an operator can get wrong is checked here, before anything starts, and a bad one
 * becomes a {@link StartupException} naming the variable, the value and what is allowed. Loading
 * an operator's own YAML file comes with the node configuration issue; it will use the same
 * binding ({@link NodeConfig} records, unknown keys rejected) as the embedded defaults do now.
 */
public final class ConfigLoader {

    /** Where the embedded defaults are on the class path. */
    public static final String DEFAULTS_RESOURCE = "gonode/gonode.yaml";
    /** Overrides {@code admin.port}. */
    public static final String ENV_ADMIN_PORT = "GONODE_ADMIN_PORT";
    /** Overrides {@code admin.host}. */
    public static final String ENV_ADMIN_HOST = "GONODE_ADMIN_HOST";

    private static final String PORT_RULE = "use a whole number from 0 to 65535 (0 picks a free port)";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    private ConfigLoader() {
    }

    /** The embedded defaults overridden by {@code env} (normally {@link System#getenv()}). */
    public static NodeConfig load(Map<String, String> env) throws StartupException {
        NodeConfig defaults = embeddedDefaults();
        String host = defaults.admin().host();
        int port = defaults.admin().port();
        String envHost = env.get(ENV_ADMIN_HOST);
        if (envHost != null) {
            host = host(ENV_ADMIN_HOST, envHost);
        }
        String envPort = env.get(ENV_ADMIN_PORT);
        if (envPort != null) {
            port = port(ENV_ADMIN_PORT, envPort);
        }
        return new NodeConfig(new NodeConfig.Admin(host, port));
    }

    /** The configuration in {@value #DEFAULTS_RESOURCE}, with no overrides. */
    public static NodeConfig embeddedDefaults() throws StartupException {
        ClassLoader loader = ConfigLoader.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new StartupException("the embedded defaults " + DEFAULTS_RESOURCE
                        + " are missing from the class path; rebuild the node with ./mvnw -pl node -am package");
            }
            NodeConfig config = YAML.readValue(in, NodeConfig.class);
            if (config == null) {
                throw new StartupException("the embedded defaults " + DEFAULTS_RESOURCE + " are empty");
            }
            return config;
        } catch (IOException | IllegalArgumentException e) {
            // Jackson wraps binding errors (unknown key, wrong type, a constructor check) as IOExceptions.
            throw new StartupException("cannot read the embedded defaults " + DEFAULTS_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses a port given by {@code name}; the message names both and the rule when it is not one. */
    static int port(String name, String value) throws StartupException {
        String text = value.trim();
        if (!text.matches("[+-]?[0-9]+")) {
            throw new StartupException(name + "=\"" + value + "\" is not a port number: " + PORT_RULE);
        }
        BigInteger n = new BigInteger(text);
        if (n.signum() < 0 || n.compareTo(BigInteger.valueOf(65535)) > 0) {
            throw new StartupException(name + "=\"" + value + "\" is out of range: " + PORT_RULE);
        }
        return n.intValueExact();
    }

    /** Checks a bind address given by {@code name}; whether it resolves is found out when binding. */
    static String host(String name, String value) throws StartupException {
        String text = value.trim();
        if (text.isEmpty()) {
            throw new StartupException(name + " is set but empty: give the address to bind, such as 127.0.0.1 "
                    + "(this machine only) or 0.0.0.0 (every interface), or unset it for the default");
        }
        if (text.chars().anyMatch(Character::isWhitespace)) {
            throw new StartupException(name + "=\"" + value + "\" is not a host name or IP address: "
                    + "give one address to bind, such as 127.0.0.1 or 0.0.0.0");
        }
        return text;
    }
}
