package dev.gonode.node.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.StartupException;
import dev.gonode.runtime.GoDuration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the node's configuration in three layers: the embedded defaults ({@code config/gonode.yaml},
 * on the class path as {@value #DEFAULTS_RESOURCE}), then an operator's file ({@code --config}),
 * then {@code GONODE_*} environment variables.
 *
 * <p>Implementation notes. The layers are merged as YAML trees before anything is bound, so every
 * layer goes through the same binding and the same checks. A file overlays the defaults key by key
 * (mappings merge, anything else replaces). Each environment variable's name is derived from a key
 * that exists after the file is applied ({@code server.max-body-bytes} is
 * {@code GONODE_SERVER_MAX_BODY_BYTES}), so a variable can set a handler the file added. Any other
 * {@code GONODE_*} variable is reported, as a warning naming the closest known variable (by
 * edit distance, a swap of two letters counting as one edit), or as a start-up error when
 * {@code config.strict} is true; left alone are the variables of the launchers, the CLI and the
 * test suite ({@link #OTHER_VARIABLES}) and those Kubernetes injects for a Service whose name
 * starts with "gonode" ({@code GONODE_SERVICE_HOST}, {@code GONODE_PORT=tcp://...}, ...; see
 * {@link #isServiceLink}). {@code config.strict} is the loader's own key: it is read and taken out
 * of the tree before binding. The merged tree is bound to {@link NodeConfig} with unknown keys
 * refused (naming the closest allowed key), then checked key by key. Every failure is a
 * {@link StartupException} naming the key (and the variable or file it came from), the value and
 * what is allowed.
 */
public final class ConfigLoader {

    /** Where the embedded defaults are on the class path. */
    public static final String DEFAULTS_RESOURCE = "gonode/gonode.yaml";
    /** The prefix of the environment variables that override keys. */
    public static final String ENV_PREFIX = "GONODE_";

    /** The store's password (never a key, never logged); {@code jobs.postgres.password-file} is the other source. */
    public static final String POSTGRES_PASSWORD_VARIABLE = "GONODE_POSTGRES_PASSWORD";

    /**
     * {@code GONODE_*} variables that are not configuration keys: {@code bin/gonode}'s extra JVM
     * options, gonode-admin's node URL, and the test suite's switch for external tools.
     */
    public static final Set<String> OTHER_VARIABLES = Set.of("GONODE_JAVA_OPTS", "GONODE_ADMIN_URL",
            "GONODE_EXTERNAL_TOOLS", POSTGRES_PASSWORD_VARIABLE);

    /** The loader's own key: unknown GONODE_* variables stop the start instead of a warning. */
    static final String STRICT_KEY = "config.strict";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final ObjectMapper YAML = configMapper();
    /** The largest {@code server.max-connections}: far beyond what one process can hold open. */
    private static final int MAX_CONNECTIONS = 10_000_000;
    /** The most attempts a handler may give a job (the job table's check allows as many). */
    private static final int MAX_ATTEMPTS = 1000;
    private static final Pattern SERVICE_LINK_NAME = Pattern.compile(
            "GONODE_([A-Z0-9_]+_)?(SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)|PORT_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)");
    private static final Pattern SERVICE_LINK_PORT = Pattern.compile("GONODE_([A-Z0-9_]+_)?PORT");

    private ConfigLoader() {
    }

    /** The embedded defaults overridden by {@code env} (normally {@link System#getenv()}). */
    public static NodeConfig load(Map<String, String> env) throws StartupException {
        return load(Optional.empty(), env);
    }

    /**
     * The embedded defaults, overlaid by {@code file} when given, then overridden by {@code env};
     * unknown {@code GONODE_*} variables are logged as warnings.
     */
    public static NodeConfig load(Optional<Path> file, Map<String, String> env) throws StartupException {
        return load(file, env, LOG::warn);
    }

    /**
     * The embedded defaults, overlaid by {@code file} when given, then overridden by {@code env};
     * each unknown {@code GONODE_*} variable goes to {@code warnings} (or stops the start when
     * {@code config.strict} is true).
     */
    public static NodeConfig load(Optional<Path> file, Map<String, String> env, Consumer<String> warnings)
            throws StartupException {
        ObjectNode tree = defaultsTree();
        String source = "the embedded defaults";
        if (file.isPresent()) {
            overlay(tree, readFile(file.get()));
            source = "--config " + file.get();
        }
        handlerDefaults(tree);
        List<String> keys = new ArrayList<>();
        leaves(tree, "", keys);
        Map<String, String> fromEnv = applyEnvironment(tree, keys, env);
        boolean strict = takeStrict(tree, source, fromEnv);
        reportUnknownVariables(keys, env, strict, warnings);
        List<NodeConfig.Periodic> periodic = takePeriodic(tree, source, fromEnv);
        NodeConfig config = bind(tree, source, fromEnv).withPeriodic(periodic);
        check(config, fromEnv);
        checkPeriodic(config);
        return config;
    }

    /** The configuration in {@value #DEFAULTS_RESOURCE}, with no overrides. */
    public static NodeConfig embeddedDefaults() throws StartupException {
        return load(Map.of());
    }

    /**
     * The job store's password: {@value #POSTGRES_PASSWORD_VARIABLE} when set, else the contents
     * of {@code jobs.postgres.password-file} (one trailing line break dropped), else {@code null}.
     * Errors name the file, never its contents.
     */
    public static String postgresPassword(NodeConfig.Postgres postgres, Map<String, String> env)
            throws StartupException {
        String fromEnv = env.get(POSTGRES_PASSWORD_VARIABLE);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        if (postgres.passwordFile().isEmpty()) {
            return null;
        }
        Path file = Path.of(postgres.passwordFile());
        try {
            if (Files.size(file) > 4096) {
                throw new StartupException("jobs.postgres.password-file " + file + " holds more than 4096 bytes: it"
                        + " should hold the password alone (mount the Secret's key as the file)");
            }
            String text = Files.readString(file);
            if (text.endsWith("\r\n")) {
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            return text;
        } catch (NoSuchFileException e) {
            throw new StartupException("jobs.postgres.password-file " + file + ": no such file; mount the Secret there"
                    + " or set " + POSTGRES_PASSWORD_VARIABLE, e);
        } catch (IOException e) {
            throw new StartupException("jobs.postgres.password-file " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + "); check the file's permissions, or set "
                    + POSTGRES_PASSWORD_VARIABLE, e);
        }
    }

    /** This node's name: {@code node.name}, else {@code $POD_NAME}, else {@code $HOSTNAME}, else the host's name. */
    public static String nodeName(NodeConfig config, Map<String, String> env) {
        if (!config.node().name().isEmpty()) {
            return config.node().name();
        }
        for (String variable : List.of("POD_NAME", "HOSTNAME")) {
            String value = env.get(variable);
            if (value != null && !value.isBlank() && value.strip().length() <= 253) {
                return value.strip();
            }
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "gonode-" + ProcessHandle.current().pid();
        }
    }

    /** The environment variable that overrides the key at {@code path} ({@code server.port}). */
    public static String envName(String path) {
        return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    // ---------------------------------------------------------------- layers

    private static ObjectNode defaultsTree() throws StartupException {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new StartupException("the embedded defaults " + DEFAULTS_RESOURCE
                        + " are missing from the class path; rebuild the node with ./mvnw -pl node -am package");
            }
            JsonNode tree = YAML.readTree(in);
            if (!(tree instanceof ObjectNode object)) {
                throw new StartupException("the embedded defaults " + DEFAULTS_RESOURCE + " are not a YAML mapping");
            }
            return object;
        } catch (IOException e) {
            throw new StartupException("cannot read the embedded defaults " + DEFAULTS_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode readFile(Path file) throws StartupException {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new StartupException("--config " + file + ": no such file; give the path of a YAML file laid out"
                    + " like config/gonode.yaml", e);
        } catch (JsonProcessingException e) {
            throw new StartupException("--config " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        } catch (IOException e) {
            throw new StartupException("--config " + file + ": cannot read it: " + e, e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return YAML.createObjectNode(); // an empty file changes nothing
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new StartupException("--config " + file + " must be a YAML mapping of keys such as server: and"
                    + " handlers:, like config/gonode.yaml; it holds a " + tree.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return object;
    }

    /**
     * Gives every handler the retry and uniqueness keys it does not set ({@code max-attempts: 3},
     * {@code backoff: 1s}, {@code backoff-max: 5m}, {@code unique-for: 0s}), so that a handler
     * block needs only its actor's keys and the environment can override these keys for any
     * configured handler.
     */
    private static void handlerDefaults(ObjectNode tree) {
        if (!(tree.get("handlers") instanceof ObjectNode handlers)) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = handlers.fields(); it.hasNext(); ) {
            if (it.next().getValue() instanceof ObjectNode handler) {
                putIfAbsent(handler, "max-attempts", NodeConfig.Handler.DEFAULT_MAX_ATTEMPTS);
                putIfAbsent(handler, "backoff", GoDuration.format(NodeConfig.Handler.DEFAULT_BACKOFF));
                putIfAbsent(handler, "backoff-max", GoDuration.format(NodeConfig.Handler.DEFAULT_BACKOFF_MAX));
                putIfAbsent(handler, "unique-for", "0s");
            }
        }
    }

    private static void putIfAbsent(ObjectNode object, String key, Object value) {
        if (!object.has(key)) {
            object.set(key, YAML.valueToTree(value));
        }
    }

    /** Merges {@code top} into {@code base}: mappings key by key, anything else replaced. */
    private static void overlay(ObjectNode base, ObjectNode top) {
        for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode below = base.get(field.getKey());
            if (below instanceof ObjectNode belowObject && field.getValue() instanceof ObjectNode topObject) {
                overlay(belowObject, topObject);
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    /** Sets every key of {@code paths} whose variable is in {@code env}; returns the variables used, by key path. */
    private static Map<String, String> applyEnvironment(ObjectNode tree, List<String> paths, Map<String, String> env) {
        Map<String, String> used = new LinkedHashMap<>();
        for (String path : paths) {
            String value = env.get(envName(path));
            if (value != null) {
                ObjectNode parent = tree;
                String[] keys = path.split("\\.");
                for (int i = 0; i < keys.length - 1; i++) {
                    parent = (ObjectNode) parent.get(keys[i]);
                }
                parent.set(keys[keys.length - 1], TextNode.valueOf(value.trim()));
                used.put(path, envName(path) + "=\"" + value + "\"");
            }
        }
        return used;
    }

    /** Reads {@value #STRICT_KEY} and takes the loader's {@code config} mapping out of the tree. */
    private static boolean takeStrict(ObjectNode tree, String source, Map<String, String> fromEnv)
            throws StartupException {
        JsonNode section = tree.remove("config");
        if (section == null || section.isNull()) {
            return false;
        }
        if (!(section instanceof ObjectNode object)) {
            throw new StartupException("config in " + source + " must be a mapping with the key strict (see config/gonode.yaml)");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("strict")) {
                throw new StartupException("unknown key \"config." + name + "\" in " + source
                        + "; the keys allowed there are strict (see config/gonode.yaml)");
            }
        }
        JsonNode strict = object.path("strict");
        if (strict.isMissingNode() || strict.isNull()) {
            return false;
        }
        if (strict.isBoolean()) {
            return strict.booleanValue();
        }
        String text = strict.asText().trim();
        if (strict.isTextual() && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(text);
        }
        throw new StartupException(origin(STRICT_KEY, source, fromEnv) + ": \"" + text + "\" is not true or false");
    }

    /** The keys a {@code periodic:} entry may have. */
    private static final List<String> PERIODIC_KEYS = List.of("name", "handler", "payload", "every", "cron");
    private static final Pattern PERIODIC_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    /**
     * Reads and takes out the {@code periodic:} list (a list of mappings, which the key-by-key
     * binding does not handle): each entry's keys, their types and a Go duration for
     * {@code every}. {@link #checkPeriodic} checks the rest once the handlers are known.
     */
    private static List<NodeConfig.Periodic> takePeriodic(ObjectNode tree, String source, Map<String, String> fromEnv)
            throws StartupException {
        JsonNode list = tree.replace("periodic", YAML.createArrayNode()); // bound empty; filled in after binding
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new StartupException(origin("periodic", source, fromEnv) + " must be a list of entries such as"
                    + " - {handler: echo, every: 5m} (set it in a --config file; see config/gonode.yaml)");
        }
        List<NodeConfig.Periodic> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String at = "periodic[" + i + "]";
            if (!entry.isObject()) {
                throw new StartupException(at + " in " + source + " must be a mapping with the keys "
                        + String.join(", ", PERIODIC_KEYS) + ", such as {handler: echo, every: 5m}");
            }
            for (Iterator<String> names = entry.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!PERIODIC_KEYS.contains(name)) {
                    throw new StartupException("unknown key \"" + at + "." + name + "\" in " + source
                            + "; the keys allowed there are " + String.join(", ", PERIODIC_KEYS));
                }
            }
            String handler = text(entry, "handler", at, source, true);
            String name = text(entry, "name", at, source, false);
            String cron = text(entry, "cron", at, source, false);
            String every = text(entry, "every", at, source, false);
            Duration period = null;
            if (every != null) {
                try {
                    period = GoDuration.parse(every.strip());
                } catch (IllegalArgumentException e) {
                    throw new StartupException(at + ".every in " + source + ": \"" + every + "\" is not a duration"
                            + " such as 30s, 5m or 24h");
                }
            }
            JsonNode payload = entry.has("payload") && !entry.get("payload").isNull() ? entry.get("payload")
                    : YAML.createObjectNode();
            entries.add(new NodeConfig.Periodic(name == null ? handler : name, handler, payload, period, cron));
        }
        return entries;
    }

    private static String text(JsonNode entry, String key, String at, String source, boolean required)
            throws StartupException {
        JsonNode value = entry.get(key);
        if (value == null || value.isNull()) {
            if (required) {
                throw new StartupException(at + "." + key + " is missing in " + source + ": name the handler that runs"
                        + " the job, such as handler: echo");
            }
            return null;
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            throw new StartupException(at + "." + key + " in " + source + " must be a non-empty string");
        }
        return value.asText();
    }

    /** Each periodic entry: a configured handler, one valid schedule, a unique name, a payload within the body limit. */
    private static void checkPeriodic(NodeConfig config) throws StartupException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < config.periodic().size(); i++) {
            NodeConfig.Periodic entry = config.periodic().get(i);
            String at = "periodic[" + i + "] (" + entry.name() + ")";
            if (!config.handlers().containsKey(entry.handler())) {
                throw new StartupException(at + ": handler \"" + entry.handler() + "\" is not configured; the"
                        + " handlers are " + String.join(", ", config.handlers().keySet()));
            }
            if (!PERIODIC_NAME.matcher(entry.name()).matches()) {
                throw new StartupException(at + ": name \"" + entry.name() + "\" is not allowed: use 1 to 100"
                        + " lower-case letters, digits, dots, dashes and underscores (it is part of each tick's"
                        + " idempotency key)");
            }
            if (!names.add(entry.name())) {
                throw new StartupException(at + ": another entry is named \"" + entry.name() + "\" (an entry"
                        + " without a name is named after its handler); give each entry its own name");
            }
            try {
                dev.gonode.node.internal.periodic.Schedule.of(entry);
            } catch (IllegalArgumentException e) {
                throw new StartupException(at + ": " + e.getMessage());
            }
            int bytes = entry.payload().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > config.server().maxBodyBytes()) {
                throw new StartupException(at + ": the payload is " + bytes + " bytes of JSON, more than"
                        + " server.max-body-bytes " + config.server().maxBodyBytes());
            }
        }
    }

    /** Warns about (or, when strict, refuses) every GONODE_* variable that sets nothing. */
    private static void reportUnknownVariables(List<String> keys, Map<String, String> env, boolean strict,
            Consumer<String> warnings) throws StartupException {
        Map<String, String> known = new LinkedHashMap<>(); // variable -> what it is
        for (String key : keys) {
            known.put(envName(key), "the key " + key);
        }
        OTHER_VARIABLES.forEach(v -> known.put(v, "not a key: see config/gonode.yaml"));
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(env).entrySet()) {
            String name = variable.getKey();
            if (name.startsWith(ENV_PREFIX) && !known.containsKey(name) && !isServiceLink(name, variable.getValue())) {
                unknown.add(unknownVariable(name, known));
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        if (strict) {
            throw new StartupException(String.join("; ", unknown) + " (" + STRICT_KEY + " is true, so this stops the"
                    + " start; fix or unset the variable" + (unknown.size() > 1 ? "s" : "") + ")");
        }
        for (String message : unknown) {
            warnings.accept(message + " (set " + STRICT_KEY + ": true, or GONODE_CONFIG_STRICT=true, to make this an error)");
        }
    }

    private static String unknownVariable(String name, Map<String, String> known) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : known.keySet()) {
            int d = editDistance(name, candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        String message = "environment variable " + name + " sets nothing and is ignored";
        if (closest != null && best <= Math.max(2, (name.length() - ENV_PREFIX.length()) / 3)) {
            message += "; did you mean " + closest + " (" + known.get(closest) + ")?";
        } else {
            message += "; the variables are GONODE_ and a key's path in capitals (server.port is GONODE_SERVER_PORT),"
                    + " see config/gonode.yaml";
        }
        if (name.startsWith(ENV_PREFIX + "HANDLERS_")) {
            message += " A handler's variables exist only for handlers in the configuration (handlers: in the file).";
        }
        return message;
    }

    /**
     * Whether {@code name=value} is one of the variables Kubernetes sets for a Service named
     * gonode or gonode-*: {@code GONODE_SERVICE_HOST}, {@code GONODE_SERVICE_PORT[_NAME]},
     * {@code GONODE_PORT_8080_TCP[_PROTO|_PORT|_ADDR]}, and {@code GONODE_PORT} whose value is a
     * {@code tcp://} (or udp, sctp) address — the value tells it from a misspelt key.
     */
    static boolean isServiceLink(String name, String value) {
        if (SERVICE_LINK_NAME.matcher(name).matches()) {
            return true;
        }
        return SERVICE_LINK_PORT.matcher(name).matches() && value != null
                && (value.startsWith("tcp://") || value.startsWith("udp://") || value.startsWith("sctp://"));
    }

    /**
     * Edit distance between {@code a} and {@code b} (insertions, deletions, substitutions and
     * swaps of adjacent characters, each one edit: the optimal string alignment distance).
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static void leaves(JsonNode node, String path, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = path + field.getKey();
            if (field.getValue().isObject()) {
                leaves(field.getValue(), key + ".", out);
            } else {
                out.add(key);
            }
        }
    }

    // ---------------------------------------------------------------- binding and checks

    private static NodeConfig bind(ObjectNode tree, String source, Map<String, String> fromEnv) throws StartupException {
        try {
            NodeConfig config = YAML.treeToValue(tree, NodeConfig.class);
            if (config == null) {
                throw new StartupException(source + " holds no configuration");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String path = path(e);
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            String unknown = e.getPropertyName();
            String closest = known.stream().min(Comparator.comparingInt(k -> editDistance(unknown, k))).orElse(null);
            String guess = closest != null && editDistance(unknown, closest) <= Math.max(2, unknown.length() / 3)
                    ? "; did you mean " + closest + "? The" : "; the";
            throw new StartupException("unknown key \"" + path + "\" in " + source + guess + " keys allowed there are "
                    + String.join(", ", known) + " (see config/gonode.yaml)", e);
        } catch (InvalidFormatException e) {
            String path = path(e);
            throw new StartupException(origin(path, source, fromEnv) + ": \"" + e.getValue() + "\" is not "
                    + expected(path, e.getTargetType()), e);
        } catch (JsonMappingException e) {
            String path = path(e);
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            String why = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
            throw new StartupException(origin(path, source, fromEnv) + ": " + why
                    + (target != null ? "; expected " + expected(path, target) : ""), e);
        } catch (JsonProcessingException e) {
            throw new StartupException("cannot read " + source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static void check(NodeConfig config, Map<String, String> fromEnv) throws StartupException {
        port("server.port", config.server().port(), fromEnv);
        port("admin.port", config.admin().port(), fromEnv);
        host("server.host", config.server().host(), fromEnv);
        host("admin.host", config.admin().host(), fromEnv);
        if (config.server().maxBodyBytes() < 1) {
            throw new StartupException(origin("server.max-body-bytes", fromEnv) + " is " + config.server().maxBodyBytes()
                    + ": use a positive number of bytes, such as 1048576 (1 MiB)");
        }
        positive("server.idle-timeout", config.server().idleTimeout(), fromEnv);
        positive("server.request-header-timeout", config.server().requestHeaderTimeout(), fromEnv);
        if (config.server().maxConnections() < 0 || config.server().maxConnections() > MAX_CONNECTIONS) {
            throw new StartupException(origin("server.max-connections", fromEnv) + " is " + config.server().maxConnections()
                    + ": use 1 to " + MAX_CONNECTIONS + " connections, or 0 to derive the cap from the open-file limit");
        }
        positive("health.liveness-timeout", config.health().livenessTimeout(), fromEnv);
        positive("health.probe-interval", config.health().probeInterval(), fromEnv);
        if (config.health().probeInterval().compareTo(config.health().livenessTimeout()) > 0) {
            throw new StartupException(origin("health.probe-interval", fromEnv) + " is "
                    + GoDuration.format(config.health().probeInterval()) + ", longer than health.liveness-timeout "
                    + GoDuration.format(config.health().livenessTimeout()) + ": a wedged scheduler could then go unnoticed"
                    + " for that long; start probes at least as often as the liveness timeout");
        }
        positive("drain.timeout", config.drain().timeout(), fromEnv);
        positive("jobs.results-ttl", config.jobs().resultsTtl(), fromEnv);
        if (config.jobs().resultsMax() < 1) {
            throw new StartupException(origin("jobs.results-max", fromEnv) + " is " + config.jobs().resultsMax()
                    + ": keep at least 1 finished job");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (config.jobs().resultsMaxBytes() < 0 || config.jobs().resultsMaxBytes() > heap) {
            throw new StartupException(origin("jobs.results-max-bytes", fromEnv) + " is " + config.jobs().resultsMaxBytes()
                    + ": use 0 (an eighth of the heap) or a number of bytes up to the heap's " + heap);
        }
        if (config.jobs().queuedMaxBytes() < 0 || config.jobs().queuedMaxBytes() > heap) {
            throw new StartupException(origin("jobs.queued-max-bytes", fromEnv) + " is " + config.jobs().queuedMaxBytes()
                    + ": use 0 (a quarter of the heap) or a number of bytes up to the heap's " + heap);
        }
        positive("jobs.worker-idle-timeout", config.jobs().workerIdleTimeout(), fromEnv);
        checkStore(config.jobs(), fromEnv);
        String name = config.node().name();
        if (name.length() > 253 || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new StartupException(origin("node.name", fromEnv) + " is not a usable name: use at most 253"
                    + " characters without spaces, such as the pod's name, or leave it empty to use $POD_NAME or"
                    + " $HOSTNAME");
        }
        positive("leaks.interval", config.leaks().interval(), fromEnv);
        positive("leaks.wait-threshold", config.leaks().waitThreshold(), fromEnv);
        if (config.handlers().isEmpty()) {
            throw new StartupException("handlers: none is configured; a node needs at least one (see config/gonode.yaml)");
        }
        for (Map.Entry<String, NodeConfig.Handler> entry : config.handlers().entrySet()) {
            String key = "handlers." + entry.getKey();
            NodeConfig.Handler handler = entry.getValue();
            if (!entry.getKey().matches("[a-z0-9][a-z0-9-]*")) {
                throw new StartupException("handler name \"" + entry.getKey() + "\" is not allowed: use lower-case"
                        + " letters, digits and dashes (it is part of the URL /v1/jobs/{handler})");
            }
            if (handler.concurrency() < 1 || handler.concurrency() > 1_000_000) {
                throw new StartupException(origin(key + ".concurrency", fromEnv) + " is " + handler.concurrency()
                        + ": use 1 to 1000000 worker goroutines");
            }
            if (handler.mailbox() < 1 || handler.mailbox() > 10_000_000) {
                throw new StartupException(origin(key + ".mailbox", fromEnv) + " is " + handler.mailbox()
                        + ": use 1 to 10000000 queued jobs");
            }
            positive(key + ".timeout", handler.timeout(), fromEnv);
            // On postgres a drain hands unfinished jobs back to the fleet (another node runs them), so a
            // job may outlive the drain; on memory the drain would abort it.
            if (!config.jobs().onPostgres() && handler.timeout().compareTo(config.drain().timeout()) > 0) {
                throw new StartupException(origin(key + ".timeout", fromEnv) + " is " + GoDuration.format(handler.timeout())
                        + ", longer than drain.timeout " + GoDuration.format(config.drain().timeout())
                        + ": a drain could then abort jobs that were still within their deadline; shorten the"
                        + " handler's timeout, lengthen drain.timeout, or use jobs.store postgres (whose drain hands"
                        + " unfinished jobs to other nodes)");
            }
            if (handler.maxAttempts() < 1 || handler.maxAttempts() > MAX_ATTEMPTS) {
                throw new StartupException(origin(key + ".max-attempts", fromEnv) + " is " + handler.maxAttempts()
                        + ": use 1 (never retry) to " + MAX_ATTEMPTS + " attempts");
            }
            within(key + ".backoff", handler.backoff(), Duration.ofMillis(1), Duration.ofHours(24), fromEnv);
            within(key + ".backoff-max", handler.backoffMax(), handler.backoff(), Duration.ofHours(24), fromEnv);
            within(key + ".unique-for", handler.uniqueFor(), Duration.ZERO, Duration.ofDays(30), fromEnv);
        }
    }

    private static void checkStore(NodeConfig.Jobs jobs, Map<String, String> fromEnv) throws StartupException {
        if (!jobs.store().equals(NodeConfig.Jobs.MEMORY) && !jobs.store().equals(NodeConfig.Jobs.POSTGRES)) {
            throw new StartupException(origin("jobs.store", fromEnv) + " is \"" + jobs.store() + "\": use memory (jobs"
                    + " live in this node) or postgres (a fleet shares them in PostgreSQL, see jobs.postgres)");
        }
        NodeConfig.Postgres pg = jobs.postgres();
        if (pg.poolSize() < 1 || pg.poolSize() > 1000) {
            throw new StartupException(origin("jobs.postgres.pool-size", fromEnv) + " is " + pg.poolSize()
                    + ": use 1 to 1000 connections (pods x (pool-size + 1) must stay below max_connections)");
        }
        within("jobs.postgres.connect-timeout", pg.connectTimeout(), Duration.ofMillis(250), Duration.ofMinutes(5), fromEnv);
        within("jobs.postgres.lease", pg.lease(), Duration.ofSeconds(1), Duration.ofHours(1), fromEnv);
        within("jobs.postgres.poll-interval", pg.pollInterval(), Duration.ofMillis(10), Duration.ofMinutes(1), fromEnv);
        positive("jobs.postgres.unavailable-grace", pg.unavailableGrace(), fromEnv);
        if (!jobs.onPostgres()) {
            return;
        }
        if (pg.url().isEmpty()) {
            throw new StartupException("jobs.postgres.url is not set, and jobs.store is postgres: give the database as"
                    + " jdbc:postgresql://host:5432/database (" + envName("jobs.postgres.url") + ")");
        }
        if (pg.user().isEmpty()) {
            throw new StartupException("jobs.postgres.user is not set, and jobs.store is postgres: name the database"
                    + " role the node logs in as (" + envName("jobs.postgres.user") + ")");
        }
    }

    private static void within(String path, Duration d, Duration min, Duration max, Map<String, String> fromEnv)
            throws StartupException {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new StartupException(origin(path, fromEnv) + " is " + GoDuration.format(d) + ": use "
                    + GoDuration.format(min) + " to " + GoDuration.format(max));
        }
    }

    private static void port(String path, int port, Map<String, String> fromEnv) throws StartupException {
        if (port < 0 || port > 65535) {
            throw new StartupException(origin(path, fromEnv) + " is " + port
                    + ": use a whole number from 0 to 65535 (0 picks a free port)");
        }
    }

    private static void host(String path, String host, Map<String, String> fromEnv) throws StartupException {
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new StartupException(origin(path, fromEnv) + " is \"" + host + "\": give one address to bind,"
                    + " such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
        }
    }

    private static void positive(String path, Duration d, Map<String, String> fromEnv) throws StartupException {
        if (d.isNegative() || d.isZero()) {
            throw new StartupException(origin(path, fromEnv) + " is " + GoDuration.format(d)
                    + ": use a positive duration such as 500ms, 10s or 1m");
        }
    }

    /** "server.port (GONODE_SERVER_PORT="x")" or just the key, for messages. */
    private static String origin(String path, Map<String, String> fromEnv) {
        String env = fromEnv.get(path);
        return env == null ? path : path + " (" + env + ")";
    }

    private static String origin(String path, String source, Map<String, String> fromEnv) {
        String env = fromEnv.get(path);
        return env == null ? path + " in " + source : path + " (" + env + ")";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
                .collect(Collectors.joining("."));
    }

    private static String expected(String path, Class<?> type) {
        if (path.endsWith(".port")) {
            return "a port number: use a whole number from 0 to 65535 (0 picks a free port)";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 10s or 1m30s";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        return "a " + type.getSimpleName() + " (see config/gonode.yaml)";
    }

    private static ObjectMapper configMapper() {
        SimpleModule durations = new SimpleModule("go-durations");
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getValueAsString();
                if (text == null || !p.currentToken().isScalarValue()) {
                    return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
                }
                try {
                    return GoDuration.parse(text.trim());
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, "not a duration", text, Duration.class);
                }
            }
        });
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .registerModule(durations)
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // "1.5" for a port or a count is a mistake, not 1.
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }
}
